"""Python clients and validators against a running Sluice, driven by test/interop/python.test.ts.

  verify JWKS_URI ISSUER AUDIENCE ALG TOKEN
      PyJWT: PyJWKClient picks the key by kid, jwt.decode checks signature, iss, aud, exp.
  fetch TOKEN_URL CLIENT_ID CLIENT_SECRET basic|post [SCOPE]
      requests-oauthlib: OAuth2Session(client=BackendApplicationClient).fetch_token.

Prints one JSON object on stdout. Expected failures are printed as {"error": ...}, not raised.
Only Debian's python3-jwt and python3-requests-oauthlib are needed.
"""
import json
import os
import sys


def verify(jwks_uri, issuer, audience, alg, token):
    import jwt

    client = jwt.PyJWKClient(jwks_uri)
    key = client.get_signing_key_from_jwt(token)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=[alg],
        audience=audience,
        issuer=issuer,
        options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
    )
    refused = {}
    for name, kwargs in {
        "wrong_audience": {"audience": "https://nobody.example.com", "issuer": issuer},
        "wrong_issuer": {"audience": audience, "issuer": "https://other.example.com"},
    }.items():
        try:
            jwt.decode(token, key.key, algorithms=[alg], **kwargs)
            refused[name] = None
        except jwt.InvalidTokenError as error:
            refused[name] = type(error).__name__
    return {
        "pyjwt": jwt.__version__,
        "header": header,
        "claims": claims,
        "key_id": key.key_id,
        "refused": refused,
    }


def fetch(token_url, client_id, client_secret, method, scope=None):
    # Plain http is allowed only because the test server is on 127.0.0.1.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
    from requests_oauthlib import OAuth2Session
    import requests_oauthlib

    session = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
    seen = {}

    def record(response):
        request = response.request
        seen["authorization"] = request.headers.get("Authorization", "")[:6]
        seen["body"] = sorted(k.split("=")[0] for k in (request.body or "").split("&") if k)
        seen["status"] = response.status_code
        seen["cache_control"] = response.headers.get("Cache-Control")
        return response

    session.register_compliance_hook("access_token_response", record)
    kwargs = {"client_id": client_id, "client_secret": client_secret}
    if method == "post":
        kwargs["include_client_id"] = True
    if scope:
        kwargs["scope"] = scope.split(" ")
    try:
        token = session.fetch_token(token_url, **kwargs)
    except OAuth2Error as error:
        return {"error": error.error, "status_code": error.status_code, "class": type(error).__name__, "request": seen}
    return {"requests_oauthlib": requests_oauthlib.__version__, "token": dict(token), "request": seen}


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "verify":
        result = verify(*args)
    elif command == "fetch":
        result = fetch(*args)
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
