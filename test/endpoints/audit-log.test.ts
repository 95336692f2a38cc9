/**
 * The audit log: the token request's own line says who got which token (event
 * token_issued, with client_id, sub, jti, scope, aud, exp, kid, pipe, grant_type) and
 * never the token or the secret; a failed client authentication says why (a reason code)
 * and from where (the remote address, through trust_proxy). Long values are cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const LONG_SCOPE = `s${'x'.repeat(10_000)}`;
const CONFIG = BASIC_CONFIG.replace('keystores:', 'server:\n  trust_proxy: [127.0.0.1]\nkeystores:').replace('scopes: [orders.read, orders.write]', `scopes: [orders.read, orders.write, ${LONG_SCOPE}]`);
let s: Running;

beforeAll(async () => {
  s = await serve(CONFIG, { env: BASIC_ENV });
});
afterAll(() => s.close());

async function request(client: string, secret: string, form: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const before = s.logs.lines.length;
  const response = await postToken(s.url, { grant_type: 'client_credentials', ...form }, { authorization: basic(client, secret), ...headers });
  return { response, lines: s.logs.lines.slice(before), text: s.logs.text };
}

describe('an issued token', () => {
  it('is one line, token_issued, with who got what, matching the token', async () => {
    const { response, lines } = await request('orders-service', BASIC_ENV.ORDERS_SECRET, { scope: 'orders.read orders.write', audience: 'https://api.example.com' });
    expect(response.status).toBe(200);
    const token = String(response.body.access_token);
    const { payload, header } = await verifyToken(s.url, token, { audience: 'https://api.example.com' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      audit: 'token_issued',
      req_id: expect.any(String),
      client_id: 'orders-service',
      grant_type: 'client_credentials',
      pipe: 'm2m-jwt',
      sub: payload.sub,
      jti: payload.jti,
      scope: 'orders.read orders.write',
      aud: [payload.aud].flat().join(' '),
      exp: payload.exp,
      kid: header.kid,
      outcome: 'issued',
      remote_addr: '127.0.0.1',
    });
  });

  it('never puts the token, the secret or the Authorization header in the log', async () => {
    const { response, text } = await request('orders-service', BASIC_ENV.ORDERS_SECRET, { scope: 'orders.read' });
    const token = String(response.body.access_token);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toContain(BASIC_ENV.ORDERS_SECRET);
    expect(text).not.toContain(basic('orders-service', BASIC_ENV.ORDERS_SECRET).slice(6));
  });

  it('cuts a 10 KB scope to a bounded length that says how long it was', async () => {
    const { response, lines } = await request('orders-service', BASIC_ENV.ORDERS_SECRET, { scope: LONG_SCOPE });
    expect(response.status).toBe(200);
    const scope = String(lines[0]!.scope);
    expect(scope.length).toBeLessThan(300);
    expect(scope).toMatch(/^sxxx.*\.\.\.\(10001 chars\)$/);
    expect(JSON.stringify(lines[0]).length).toBeLessThan(2000);
  });
});

describe('a failed client authentication', () => {
  it('is client_auth_failed with the reason code and the remote address', async () => {
    const wrong = await request('orders-service', 'a-wrong-secret-0123456789');
    expect(wrong.response.status).toBe(401);
    expect(wrong.lines.at(-1)).toMatchObject({ audit: 'client_auth_failed', reason: 'secret_mismatch', client_id: 'orders-service', error: 'invalid_client', remote_addr: '127.0.0.1' });
    const stranger = await request('nobody', 'a-wrong-secret-0123456789');
    expect(stranger.lines.at(-1)).toMatchObject({ audit: 'client_auth_failed', reason: 'unknown_client', client_id: 'nobody', remote_addr: '127.0.0.1' });
    expect(stranger.text).not.toContain('a-wrong-secret-0123456789');
  });

  it('takes the address from X-Forwarded-For only through a trusted proxy (trust_proxy)', async () => {
    const { lines } = await request('orders-service', 'a-wrong-secret-0123456789', {}, { 'x-forwarded-for': '203.0.113.9' });
    expect(lines.at(-1)).toMatchObject({ audit: 'client_auth_failed', remote_addr: '203.0.113.9' });
  });

  it('names a wrong authentication method, and credentials that cannot be read', async () => {
    const post = await request('poster', BASIC_ENV.POSTER_SECRET);
    expect(post.lines.at(-1)).toMatchObject({ audit: 'client_auth_failed', reason: 'method_mismatch', client_id: 'poster' });
    const before = s.logs.lines.length;
    const malformed = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: 'Basic %%%' });
    expect(malformed.status).toBe(401);
    expect(s.logs.lines.slice(before).at(-1)).toMatchObject({ audit: 'client_auth_failed', reason: 'credentials_malformed' });
  });
});
