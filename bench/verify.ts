/**
 * Before measuring, each server must really do the job: one request exactly as the load
 * generator sends it, and a JWT that verifies against the server's own /jwks with the
 * expected alg, typ, issuer, audience, scope, client and lifetime. Otherwise the run stops.
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { TokenRequest } from './requests.js';
import { AUDIENCE, TOKEN_LIFETIME_SECONDS } from './servers/sluice-config.js';

export interface Expectation {
  clientId: string;
  scope: string;
  /** A JWT signed with this alg; undefined: an opaque token. */
  alg?: string;
  /** TokenCache: a second identical request gets the same token back (the row measures hits). */
  reused?: boolean;
}

export async function checkTokenResponse(name: string, url: string, request: TokenRequest, expect: Expectation): Promise<void> {
  const response = await fetch(`${url}/token`, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  const fail = (why: string): never => {
    throw new Error(`${name}: the check request did not get a valid token (${why}); answer ${response.status}: ${text.slice(0, 300)}`);
  };
  if (response.status !== 200) fail('status');
  const body = JSON.parse(text) as { access_token?: unknown; token_type?: unknown; scope?: unknown };
  if (typeof body.access_token !== 'string' || String(body.token_type).toLowerCase() !== 'bearer') fail('no Bearer access_token');
  if (body.scope !== expect.scope) fail(`scope ${String(body.scope)}`);
  if (expect.reused) {
    const again = (await (await fetch(`${url}/token`, { method: 'POST', headers: request.headers, body: request.body })).json()) as { access_token?: unknown };
    if (again.access_token !== body.access_token) fail('a second identical request got a new token, not the cached one');
  }
  if (!expect.alg) {
    if ((body.access_token as string).split('.').length === 3) fail('a JWT where an opaque token was expected');
    return;
  }
  const jwks = (await (await fetch(`${url}/jwks`)).json()) as JSONWebKeySet;
  try {
    const { payload, protectedHeader } = await jwtVerify(body.access_token as string, createLocalJWKSet(jwks), {
      algorithms: [expect.alg],
      typ: 'at+jwt',
      issuer: url,
      audience: AUDIENCE,
    });
    if (!protectedHeader.kid) fail('no kid');
    if (payload.client_id !== expect.clientId || payload.sub !== expect.clientId) fail('client_id/sub');
    if (payload.scope !== expect.scope) fail(`token scope ${String(payload.scope)}`);
    if (!payload.jti) fail('no jti');
    if ((payload.exp ?? 0) - (payload.iat ?? 0) !== TOKEN_LIFETIME_SECONDS) fail('lifetime');
  } catch (error) {
    fail((error as Error).message);
  }
}
