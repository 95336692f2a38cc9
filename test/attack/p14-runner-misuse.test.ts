/**
 * The runner was rewritten leaner in issue 14 (one reaction per valve at next()). Whatever a
 * plugin valve does with next(), sync or async, the request gets a clean server_error that
 * names it, nothing becomes an unhandled rejection (which would end `sluice serve`, and
 * fails this test run), and the server answers the next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const PLUGIN = `
const later = (f) => new Promise((resolve) => setTimeout(() => resolve(f()), 5));
export default [
  { name: 'SyncCareless', create() { return function syncCareless(flow, next) { next(); }; } },
  { name: 'SyncTwice', create() { return function syncTwice(flow, next) { next(); return next(); }; } },
  { name: 'SyncThrowAfterNext', create() { return function syncThrowAfterNext(flow, next) { next(); throw new Error('after next'); }; } },
  { name: 'EarlyResolve', create() { return function earlyResolve(flow, next) { next(); return Promise.resolve(); }; } },
  { name: 'LateNext', create() { return function lateNext(flow, next) { setTimeout(() => { next(); }, 0); }; } },
  { name: 'LateNextAwaited', create() { return async function lateNextAwaited(flow, next) { setTimeout(() => { next().then(() => {}, () => {}); }, 0); }; } },
  { name: 'BadThenable', create() { return function badThenable() { return { then() { throw new Error('bad thenable'); } }; }; } },
  { name: 'ThenableNext', create() { return function thenableNext(flow, next) { return { then(resolve, reject) { next().then(resolve, reject); next().then(resolve, reject); } }; }; } },
  { name: 'NextInLaterTurn', create() { return function nextInLaterTurn(flow, next) { return later(() => { next(); }); }; } },
  { name: 'RejectsNonError', create() { return function rejectsNonError() { return Promise.reject(undefined); }; } },
  { name: 'ThrowsAfterDeadline', create() { return async function throwsAfterDeadline(flow, next) { next(); await new Promise((resolve) => setTimeout(resolve, 2300)); throw new Error('too late'); }; } },
  { name: 'ThrowsNull', create() { return function throwsNull() { throw null; }; } },
];
`;
const S = 'misuse-secret-0123456789';
const HANGING = ['ThrowsAfterDeadline'];
const VALVES = ['SyncCareless', 'SyncTwice', 'SyncThrowAfterNext', 'EarlyResolve', 'LateNext', 'LateNextAwaited', 'BadThenable', 'ThenableNext', 'NextInLaterTurn', 'RejectsNonError', 'ThrowsNull'];

let s: Running;
beforeAll(async () => {
  const rps = [...VALVES, ...HANGING].flatMap((v) => [
    `  - { client_id: ${v.toLowerCase()}, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: ${v.toLowerCase()} }`,
  ]).join('\n');
  const pipes = [...VALVES, ...HANGING].map((v) => `  - id: ${v.toLowerCase()}\n    valves: [{ name: ClientAuthenticate }, { name: ${v} }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]`).join('\n');
  s = await serve(`
keystores: [{ id: signing, type: generated }]
plugins: [./misuse.mjs]
server: { request_timeout: 2 }
rps:
  - { client_id: good, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: good }
${rps}
pipes:
  - id: good
    valves: [{ name: ClientAuthenticate }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
${pipes}
`, { env: { S }, files: { 'misuse.mjs': PLUGIN } });
});
afterAll(() => s.close());

describe('a plugin valve that misuses next()', () => {
  for (const valve of VALVES) {
    it.each([
      ['the rest refuses', { scope: 'nope' }],
      ['the rest succeeds', {}],
    ])(`${valve}, when %s: server_error naming it, and the server keeps serving`, async (_when, extra) => {
      const r = await postToken(s.url, { grant_type: 'client_credentials', ...extra }, { authorization: basic(valve.toLowerCase(), S) });
      expect(r.status).toBe(500);
      expect(r.body.error).toBe('server_error');
      expect(r.body).not.toHaveProperty('access_token');
      const line = s.logs.lines.findLast((l) => l.event === 'token' && l.client_id === valve.toLowerCase())!;
      expect(line).toMatchObject({ outcome: 'error', valve });
      // Whatever it left running settles; then another client is served as usual.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const good = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('good', S) });
      expect(good.status).toBe(200);
    });
  }
});

describe('a plugin valve that outlives the request deadline', () => {
  it('503 when server.request_timeout passes; its later failure, and the rest it left running, end nothing', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials', scope: 'nope' }, { authorization: basic('throwsafterdeadline', S) });
    expect(r.status).toBe(503);
    // Until after the valve has thrown: an unhandled rejection would fail this run.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const good = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('good', S) });
    expect(good.status).toBe(200);
  });
});
