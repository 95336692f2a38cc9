/**
 * Overload protection through the built binary: once the event loop lags past
 * server.overload.max_event_loop_delay_ms, token requests get 503 temporarily_unavailable
 * with Retry-After at once, /healthz still answers 200 and /readyz says 503 overloaded.
 * The lag is real: a test plugin valve, on its first call, starts a timer that keeps the
 * server's event loop busy (blocking it for 400 ms at a time) until the process ends.
 * And `check` places mistakes in the new server settings at their YAML line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, expectErrors, removeTempDirs, requireBuild, serve, trackedTempDir, waitFor, type Served } from './cli.js';
import { logLines } from './workers.js';

const SECRET = 'svc-secret-0123456789';
const AUTH = `Basic ${Buffer.from(`svc:${SECRET}`).toString('base64')}`;
const HOG_AUTH = `Basic ${Buffer.from(`hog:${SECRET}`).toString('base64')}`;

// A plugin as a user writes one (plain ESM): the first call starts the hog.
const HOG_PLUGIN = `
export default {
  name: 'LoopHog',
  configSchema: { type: 'object', properties: { block_ms: { type: 'integer' } }, required: ['block_ms'] },
  create(config) {
    let hog;
    return async function loopHog(flow, next) {
      hog ??= setInterval(() => {
        const until = Date.now() + config.block_ms;
        while (Date.now() < until);
      }, 5);
      await next();
    };
  },
};
`;

const CONFIG = `
server: { overload: { max_event_loop_delay_ms: 200, retry_after: 7 } }
plugins: [./hog.mjs]
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: svc, client_secret: "\${env.SECRET}", client_credentials_pipe_id: plain }
  - { client_id: hog, client_secret: "\${env.SECRET}", client_credentials_pipe_id: hogging }
pipes:
  - id: plain
    valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: hogging
    valves: [{ name: LoopHog, config: { block_ms: 400 } }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`;

let server: Served | undefined;
beforeAll(requireBuild);
afterEach(() => server?.kill());
afterAll(removeTempDirs);

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${server!.url}${path}`, init);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const token = (authorization: string) =>
  call('/token', { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });

describe('sluice serve: overload', () => {
  it('a lagging event loop: tokens 503 temporarily_unavailable + Retry-After; /healthz 200; /readyz 503 overloaded', async () => {
    const dir = trackedTempDir();
    writeFileSync(join(dir, 'hog.mjs'), HOG_PLUGIN);
    writeFileSync(join(dir, 'sluice.yaml'), CONFIG);
    server = await serve('sluice.yaml', { cwd: dir, env: { SECRET }, startTimeoutMs: 60_000 });
    expect((await token(AUTH)).status).toBe(200);
    expect((await call('/readyz')).body).toMatchObject({ status: 'ready' });

    expect((await token(HOG_AUTH)).status).toBe(200); // the loop is busy from here on
    await waitFor(server.stdout, /"event":"overload"/, server.exited);

    const refused = await token(AUTH);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await call('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call('/readyz')).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { serving: 'overloaded' } } });
    expect(logLines(server).find((l) => l.event === 'overload')).toMatchObject({ level: 40, cause: 'event_loop_delay' });

    // Still stops cleanly, the hog's timer notwithstanding.
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('sluice check: shutdown and overload settings', () => {
  it('places a bad shutdown_timeout and an unknown overload setting at their line', async () => {
    const dir = trackedTempDir();
    const file = join(dir, 'sluice.yaml');
    writeFileSync(file, `server:
  shutdown_timeout: -1
  overload:
    max_event_loop_delay: 100
keystores: [{ id: signing, type: generated }]
rps: [{ client_id: svc, client_secret: x-secret-0123456789, client_credentials_pipe_id: p }]
pipes: [{ id: p, valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }]
`);
    expectErrors(file, await checkBoth(file), [
      { line: 2, col: 21, code: 'schema' },
      { line: 4, col: 5, code: 'schema', message: /max_event_loop_delay_ms/ },
    ]);
  });
});
