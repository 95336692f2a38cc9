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
pipes:
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
