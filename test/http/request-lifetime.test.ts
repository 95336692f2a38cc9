/**
 * at_lifetime (OA4MP's request parameter, issue 12): a pipe whose CreateJwt or
 * CreateOpaqueToken says allow_at_lifetime honours it, only ever to shorten the
 * configured lifetime; elsewhere it is ignored. Malformed, it is invalid_request wherever
 * it is sent. expires_in agrees with the token's exp; JWTs are verified against /jwks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const S = 'lifetime-secret-0123456789';
const RS = 'lifetime-rs-secret-0123456789';
let s: Running;

beforeAll(async () => {
  s = await serve(`
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: allowing, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: allowing }
  - { client_id: fixed, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: fixed }
  - { client_id: opaque, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: opaque }
  - { client_id: rs, client_secret: "\${env.RS}", introspection: true }
pipes:
  - id: allowing
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing, jwt_ttl: 10, allow_at_lifetime: true } }, { name: TokenResponse }]
  - id: fixed
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing, jwt_ttl: 10 } }, { name: TokenResponse }]
  - id: opaque
    valves: [{ name: ScopeCheck }, { name: CreateOpaqueToken, config: { ttl: 10m, allow_at_lifetime: true } }, { name: TokenResponse }]
`, { env: { S, RS } });
});
afterAll(() => s.close());

const ask = (client: string, extra: Record<string, string | string[]> = {}) =>
  postToken(s.url, { grant_type: 'client_credentials', ...extra }, { authorization: basic(client, S) });

/** The JWT's lifetime (exp - iat), after checking that expires_in agrees with exp. */
async function lifetimeOf(r: Awaited<ReturnType<typeof ask>>): Promise<number> {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const { payload } = await verifyToken(s.url, String(r.body.access_token));
  const lifetime = payload.exp! - payload.iat!;
  // expires_in is counted from the response, exp from signing: a second may tick between.
  expect(lifetime - Number(r.body.expires_in)).toBeGreaterThanOrEqual(0);
  expect(lifetime - Number(r.body.expires_in)).toBeLessThanOrEqual(1);
  return lifetime;
}

describe('at_lifetime, where the pipe allows it', () => {
  it.each(['120', '2m', '120s', '1m60s', '2 min', '120 sec', '2 minutes', '120000ms', '120 seconds.', '0120'])('shortens the JWT to 120 s when asked %j', async (value) => {
    expect(await lifetimeOf(await ask('allowing', { at_lifetime: value }))).toBe(120);
  });

  it('rounds a fraction of a second down: never longer than asked', async () => {
    expect(await lifetimeOf(await ask('allowing', { at_lifetime: '1999ms' }))).toBe(1);
  });

  it.each(['601', '1h', '3600', '99999999999', '999999999999d'])('never lengthens it (jwt_ttl 10 minutes): %s', async (value) => {
    expect(await lifetimeOf(await ask('allowing', { at_lifetime: value }))).toBe(600);
  });

  it('keeps the configured lifetime when none is asked for', async () => {
    expect(await lifetimeOf(await ask('allowing'))).toBe(600);
  });

  it('shortens an opaque token too: its store entry and introspection agree with expires_in', async () => {
    const r = await ask('opaque', { at_lifetime: '90' });
    expect(r.status).toBe(200);
    expect(r.body.expires_in).toBe(90);
    const response = await fetch(`${s.url}/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('rs', RS) },
      body: new URLSearchParams({ token: String(r.body.access_token) }),
    });
    const info = (await response.json()) as { active: boolean; exp: number; iat: number };
    expect(info.active).toBe(true);
    expect(info.exp - info.iat).toBe(90);
  });
});

describe('at_lifetime, where the pipe does not allow it', () => {
  it('is ignored: the token keeps jwt_ttl, and expires_in says so', async () => {
    expect(await lifetimeOf(await ask('fixed', { at_lifetime: '60' }))).toBe(600);
  });
});

describe('a malformed at_lifetime', () => {
  const hostile = ['0', '0s', '-5', '-5s', 'NaN', 'Infinity', '1e309', '1e3', '1.5', '0x10', '10x', '10 fortnights', '1 valueOf', 'abc', '\u0661\u0662\u0660', '\uff11\uff12\uff10', ' 120', '120 ', '1m 1s', '10ms', '9'.repeat(13), 'x'.repeat(8000)];
  it.each(hostile.map((v) => [v.length > 40 ? `${v.slice(0, 20)}... (${v.length} chars)` : JSON.stringify(v), v]))('is invalid_request, on any pipe: %s', async (_label, value) => {
    for (const client of ['allowing', 'fixed', 'opaque']) {
      const r = await ask(client, { at_lifetime: value });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      // The caller's value is not reflected back.
      if (value.length > 4) expect(String(r.body.error_description)).not.toContain(value.slice(0, 40));
    }
  });

  it('is invalid_request when repeated', async () => {
    const r = await ask('allowing', { at_lifetime: ['60', '60'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});
