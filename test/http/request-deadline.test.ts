/**
 * exp, the caller's deadline (OA4MP's request parameter, issue 12): already past, the
 * request is invalid_request; otherwise the answer comes by then or is 503 naming the valve
 * still running, as at server.request_timeout, which stays the bound when exp is later.
 * Honoured only once the caller is proven, so that strangers learn nothing from it.
 *
 * No timing is asserted: a valve that hangs stands for a slow one, and the test asserts
 * which deadline answered (the log says), not when.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const PLUGIN = `
export default [
  { name: 'Hang', create() { return async function hang() { await new Promise(() => {}); }; } },
  // Authenticates only once the request's exp has passed: a client whose authentication is slow.
  { name: 'LateAuth', authenticatesClient: true, create(config, engine) {
    return async function lateAuth(flow, next) {
      while (Date.now() <= Number(flow.request.params.exp) * 1000) await new Promise((r) => setTimeout(r, 50));
      await engine.authenticateClient(flow);
      await next();
    };
  } },
];
`;
const S = 'deadline-secret-0123456789';
const seconds = () => Math.floor(Date.now() / 1000);

const config = (timeout: number) => `
server: { request_timeout: ${timeout} }
keystores: [{ id: signing, type: generated, alg: ES256 }]
plugins: [./hang.mjs]
rps:
  - { client_id: svc, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: plain }
  - { client_id: slow, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: hang }
  - { client_id: slow-valve-auth, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: hang-after-valve }
  - { client_id: late, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: late-auth }
pipes:
  - id: plain
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: hang
    valves: [{ name: Hang }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: hang-after-valve
    valves: [{ name: ClientAuthenticate }, { name: Hang }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: late-auth
    valves: [{ name: LateAuth }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`;

let s: Running;
beforeAll(async () => {
  s = await serve(config(60), { env: { S }, files: { 'hang.mjs': PLUGIN } });
});
afterAll(() => s.close());

const ask = (client: string, extra: Record<string, string | string[]> = {}, secret = S) =>
  postToken(s.url, { grant_type: 'client_credentials', ...extra }, { authorization: basic(client, secret) });
const lastLine = (server: Running) => server.logs.lines.findLast((l) => l.event === 'token')!;

describe('exp in the future', () => {
  it.each([
    ['a minute ahead', () => String(seconds() + 60)],
    ['with a fraction', () => `${seconds() + 60}.25`],
    ['far ahead', () => '999999999999'],
  ])('%s: the token is issued', async (_name, exp) => {
    const r = await ask('svc', { exp: exp() });
    expect(r.status).toBe(200);
    await verifyToken(s.url, String(r.body.access_token));
  });
});

describe('exp already past', () => {
  it.each([
    ['a second ago', () => String(seconds() - 1)],
    ['zero', () => '0'],
    ['one second after the epoch, zero-padded', () => '000000000001'],
  ])('%s: invalid_request', async (_name, exp) => {
    const r = await ask('svc', { exp: exp() });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});

describe('a malformed exp', () => {
  it.each(['-1', `-${seconds() + 60}`, 'NaN', 'Infinity', '1e309', '1e10', '0x7fffffff', String(Date.now() + 60000), `${seconds() + 60}.`, ' 1', 'tomorrow', '\uff11\uff12', 'x'.repeat(8000)])('%j is invalid_request', async (exp) => {
    const r = await ask('svc', { exp });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });

  it('repeated is invalid_request', async () => {
    const e = String(seconds() + 60);
    const r = await ask('svc', { exp: [e, e] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});

describe('exp before server.request_timeout', () => {
  it.each([
    ['the engine authenticated the client', 'slow'],
    ['ClientAuthenticate authenticated the client', 'slow-valve-auth'],
  ])('is the deadline once %s: 503, the running valve in the log, no Retry-After', async (_name, client) => {
    // Seconds ahead: authentication must be done by then (or it is 503 before the valve runs).
    const r = await ask(client, { exp: String(seconds() + 5), state: 's-1' });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: 'temporarily_unavailable', state: 's-1' });
    expect(r.headers.get('retry-after')).toBeNull();
    const line = lastLine(s);
    expect(line).toMatchObject({ error: 'temporarily_unavailable', valve: 'Hang' });
    expect(String(line.error_detail)).toMatch(/exp/);
  });

  it('passed by the time the client is proven: the same 503, to the proven caller (state echoed)', async () => {
    const r = await ask('late', { exp: String(seconds() + 1), state: 's-2' });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: 'temporarily_unavailable', state: 's-2' });
    expect(String(lastLine(s).error_detail)).toMatch(/exp/);
  });

  it('is not honoured for a caller that fails authentication: the 401 as always', async () => {
    const r = await ask('slow-valve-auth', { exp: String(seconds() + 1) }, 'wrong-secret');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
  });
});

describe('exp after server.request_timeout', () => {
  let short: Running;
  beforeAll(async () => {
    short = await serve(config(1), { env: { S }, files: { 'hang.mjs': PLUGIN } });
  });
  afterAll(() => short.close());

  it("does not extend it: the server's 503, with Retry-After", async () => {
    const r = await postToken(short.url, { grant_type: 'client_credentials', exp: String(seconds() + 3600) }, { authorization: basic('slow', S) });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(String(lastLine(short).error_detail)).toMatch(/request_timeout/);
  });
});
