/**
 * Python: Debian's PyJWT (python3-jwt) validates Sluice tokens with PyJWKClient, and
 * requests-oauthlib (python3-requests-oauthlib) gets them with BackendApplicationClient.
 * .ci/run installs both; the tests are skipped only where /usr/bin/python3 or a module
 * is missing (a developer machine without them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { basic, postToken } from '../helpers/sluice.js';
import { API, BILLING, ORDERS, POSTER, expectSluiceClaims, kidOf, run, serversPerAlg, verifyWithJose, type Alg } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/sluice_interop.py', import.meta.url));

function hasModules(...modules: string[]): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    // Synchronous is fine here: no server is running yet at collection time.
    execFileSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAS_PYJWT = hasModules('jwt', 'cryptography');
const HAS_OAUTHLIB = hasModules('requests_oauthlib', 'oauthlib');

async function python(...args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(PYTHON, [SCRIPT, ...args], { timeout: 15_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return JSON.parse(stdout) as Record<string, any>;
}

const ALGS: Alg[] = ['ES256', 'RS256', 'EdDSA'];
const served = serversPerAlg(HAS_PYJWT || HAS_OAUTHLIB);

describe.skipIf(!HAS_PYJWT)('PyJWT: PyJWKClient + jwt.decode', () => {
  for (const alg of ALGS) {
    it(`${alg}: picks the key by kid from the JWKS and verifies iss, aud, exp`, async () => {
      const s = served(alg);
      const { status, body } = await postToken(s.url, { grant_type: 'client_credentials', scope: 'orders.read', resource: API }, { authorization: basic(ORDERS.id, ORDERS.secret) });
      expect(status).toBe(200);
      const token = String(body.access_token);

      const result = await python('verify', s.jwksUri, s.issuer, API, alg, token);
      expect(result.header).toMatchObject({ alg, typ: 'at+jwt' });
      expect(result.key_id).toBe((await kidOf(token, s.issuer)).kid);
      expectSluiceClaims(result.claims, { issuer: s.issuer, clientId: ORDERS.id, audience: API, scope: 'orders.read', alg });
      expect(result.refused).toEqual({ wrong_audience: 'InvalidAudienceError', wrong_issuer: 'InvalidIssuerError' });
    });
  }

  it('accepts a token with several audiences for any one of them', async () => {
    const s = served('ES256');
    const { body } = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic(ORDERS.id, ORDERS.secret) });
    const result = await python('verify', s.jwksUri, s.issuer, BILLING, 'ES256', String(body.access_token));
    expect(result.claims.aud).toEqual([API, BILLING]);
  });
});

describe.skipIf(!HAS_OAUTHLIB)('requests-oauthlib: OAuth2Session(BackendApplicationClient).fetch_token', () => {
  it('by default sends the secret as HTTP Basic (client_secret_basic); the token verifies', async () => {
    const s = served('ES256');
    const result = await python('fetch', s.tokenUrl, ORDERS.id, ORDERS.secret, 'basic', 'orders.read');
    expect(result.request.authorization).toBe('Basic ');
    expect(result.request.body).toEqual(['grant_type', 'scope']);
    expect(result.request.status).toBe(200);
    expect(result.request.cache_control).toBe('no-store');
    const token = result.token;
    expect(token.token_type).toBe('Bearer');
    expect(typeof token.expires_in).toBe('number');
    expect(token.expires_in).toBeGreaterThan(0);
    expect(token.scope).toEqual(['orders.read']); // oauthlib splits scope into a list
    await verifyWithJose(token.access_token, { issuer: s.issuer, clientId: ORDERS.id, audience: [API, BILLING], scope: 'orders.read', alg: 'ES256' });
  });

  it('with include_client_id=True sends client_id and client_secret in the body (client_secret_post)', async () => {
    const s = served('RS256');
    const result = await python('fetch', s.tokenUrl, POSTER.id, POSTER.secret, 'post');
    expect(result.request.authorization).toBe('');
    expect(result.request.body).toEqual(['client_id', 'client_secret', 'grant_type']);
    expect(result.token.token_type).toBe('Bearer');
    expect(result.token.scope).toEqual(['orders.read']);
    await verifyWithJose(result.token.access_token, { issuer: s.issuer, clientId: POSTER.id, audience: s.issuer, scope: 'orders.read', alg: 'RS256' });
  });

  it('a wrong secret raises InvalidClientError (401)', async () => {
    const s = served('ES256');
    const result = await python('fetch', s.tokenUrl, ORDERS.id, 'wrong-secret', 'basic');
    expect(result).toMatchObject({ error: 'invalid_client', status_code: 401, class: 'InvalidClientError' });
  });

  it('a scope the client may not have raises InvalidScopeError (400)', async () => {
    const s = served('ES256');
    const result = await python('fetch', s.tokenUrl, POSTER.id, POSTER.secret, 'post', 'orders.write');
    expect(result).toMatchObject({ error: 'invalid_scope', status_code: 400, class: 'InvalidScopeError' });
  });
});
