/**
 * No plugin bug takes the server down (issue 9, item 14): a valve that calls next()
 * without await used to turn a later valve's OAuthError into an unhandled rejection,
 * which ended `sluice serve`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const PLUGIN = `
export default [
  { name: 'Careless', create() { return async function careless(flow, next) { next(); }; } },
  { name: 'Thrower', create() { return async function thrower() { throw new TypeError('plugin bug'); }; } },
  { name: 'BigAnswer', create() { return async function bigAnswer(flow) { flow.response = { access_token: 'x', token_type: 'Bearer', n: 10n }; }; } },
];
`;
const S = 'bug-secret-0123456789';
let s: Running;

beforeAll(async () => {
  s = await serve(`
keystores: [{ id: signing, type: generated }]
plugins: [./bugs.mjs]
rps:
  - { client_id: careless, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: careless }
  - { client_id: thrower, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: thrower }
  - { client_id: big, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: big }
pipes:
  - id: big
    valves: [{ name: ClientAuthenticate }, { name: BigAnswer }]
  - id: careless
    valves: [{ name: ClientAuthenticate }, { name: Careless }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: thrower
    valves: [{ name: ClientAuthenticate }, { name: Thrower }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`, { env: { S }, files: { 'bugs.mjs': PLUGIN } });
});
afterAll(() => s.close());

describe('a valve with a bug', () => {
  it.each([
    ['calls next() without await, and a later valve refuses', 'careless', { scope: 'nope' }],
    ['calls next() without await, and the rest succeeds', 'careless', {}],
    ['throws something that is not an OAuth error', 'thrower', {}],
  ])('%s: server_error naming the valve in the log, and the server keeps serving', async (_name, client, extra) => {
    const r = await postToken(s.url, { grant_type: 'client_credentials', ...extra }, { authorization: basic(client, S) });
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('server_error');
    expect(JSON.stringify(r.body)).not.toMatch(/plugin bug|\.mjs|at /);
    const line = s.logs.lines.findLast((l) => l.event === 'token')!;
    expect(line).toMatchObject({ outcome: 'error', valve: client === 'careless' ? 'Careless' : 'Thrower' });
    // Still alive: the next request is answered.
    const again = await postToken(s.url, { grant_type: 'client_credentials', scope: 'nope' }, { authorization: basic('thrower', 'wrong') });
    expect(again.status).toBe(401);
  });
});

describe('a valve that hangs, ends the pipe early, or throws a strange OAuth error', () => {
  const PLUGIN2 = `
const brand = Symbol.for('sluice.oauth-error');
export default [
  { name: 'Hang', create() { return async function hang() { await new Promise(() => {}); }; } },
  { name: 'Stopper', writes: ['access_token'], create() { return async function stopper() {}; } },
  { name: 'Redirect', create() { return async function redirect() {
      throw { [brand]: true, code: 'invalid_request', status: 302, message: 'go', headers: { location: 'https://evil.example', 'set-cookie': 'a=b' }, toJSON() { return { error: 'invalid_request' }; } };
  }; } },
];
`;
  let t: Running;
  beforeAll(async () => {
    t = await serve(`
server: { request_timeout: 1 }
keystores: [{ id: signing, type: generated }]
plugins: [./bugs2.mjs]
rps:
  - { client_id: hang, client_secret: "\${env.S}", client_credentials_pipe_id: hang }
  - { client_id: stopper, client_secret: "\${env.S}", client_credentials_pipe_id: stopper }
  - { client_id: redirect, client_secret: "\${env.S}", client_credentials_pipe_id: redirect }
pipes:
  - { id: hang, valves: [{ name: Hang }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
  - { id: stopper, valves: [{ name: Stopper }, { name: TokenResponse }] }
  - { id: redirect, valves: [{ name: Redirect }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
`, { env: { S }, files: { 'bugs2.mjs': PLUGIN2 } });
  });
  afterAll(() => t.close());

  // Attack review M2: a valve that never settled held the request until the socket died.
  it('a valve that never settles: 503 after request_timeout, the valve named in the log', async () => {
    const r = await postToken(t.url, { grant_type: 'client_credentials' }, { authorization: basic('hang', S) });
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('temporarily_unavailable');
    expect(r.headers.get('retry-after')).toBe('1');
    expect(t.logs.lines.findLast((l) => l.event === 'token')).toMatchObject({ valve: 'Hang' });
  });

  // New-user walkthrough: the log blamed a missing TokenResponse instead of the valve.
  it('a valve that returns without calling next(): server_error naming it', async () => {
    const r = await postToken(t.url, { grant_type: 'client_credentials' }, { authorization: basic('stopper', S) });
    expect(r.status).toBe(500);
    const line = t.logs.lines.findLast((l) => l.event === 'token')!;
    expect(line.valve).toBe('Stopper');
    expect(String(line.error_description)).toContain("valve 'Stopper' ended pipe");
  });

  // Attack review L8: a branded error could set any status and headers.
  it('an OAuth-branded error with a non-error status or odd headers is a server_error', async () => {
    const response = await fetch(`${t.url}/token`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('redirect', S) }, body: 'grant_type=client_credentials' });
    expect(response.status).toBe(500);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
  });
});

describe('an answer that cannot be written as JSON (a BigInt in flow.response)', () => {
  it('is a clean server_error, and the server keeps serving', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('big', S) });
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('server_error');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-request-id')).toBeTruthy();
    const again = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('thrower', 'wrong') });
    expect(again.status).toBe(401);
  });
});
