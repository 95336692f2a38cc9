/**
 * Plays an external IdP (Microsoft Entra ID, say) for the external-IdP example tests: a
 * local HTTP server on 127.0.0.1 that publishes a JWKS of jose-made RS256 keys, and signs
 * service tokens carrying iss, aud, exp and appid as the IdP would. The published keys can
 * be changed mid-test to play a key rotation.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const APPID = '11111111-1111-1111-1111-111111111111';
export const AUDIENCE = 'api://platform';

export interface IdpKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface FakeIdp {
  issuer: string;
  jwksUri: string;
  /** The three variables config/examples/external-idp.yaml reads. */
  env: Record<'EXTERNAL_IDP_ISSUER' | 'EXTERNAL_IDP_JWKS_URI' | 'EXTERNAL_IDP_AUDIENCE', string>;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  /** Publish exactly these keys from now on. */
  publish(keys: IdpKey[]): void;
  /** A service token for `appid`, signed with `key` (header kid = key.kid). */
  token(key: IdpKey, claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function idpKey(kid: string): Promise<IdpKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startFakeIdp(initial: IdpKey[]): Promise<FakeIdp> {
  let published = initial;
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/tenant/discovery/v2.0/keys') return void response.writeHead(404).end();
    fetches += 1;
    // An hour, as IdPs do: only an unknown kid makes Sluice look again before then.
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' });
    response.end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('fake IdP has no port');
  const base = `http://127.0.0.1:${address.port}`;
  const issuer = `${base}/tenant/v2.0`;
  const jwksUri = `${base}/tenant/discovery/v2.0/keys`;
  return {
    issuer,
    jwksUri,
    env: { EXTERNAL_IDP_ISSUER: issuer, EXTERNAL_IDP_JWKS_URI: jwksUri, EXTERNAL_IDP_AUDIENCE: AUDIENCE },
    get fetches() {
      return fetches;
    },
    publish(keys) {
      published = keys;
    },
    token(key, claims = {}) {
      return new SignJWT({ appid: APPID, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
