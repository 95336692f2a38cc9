/**
 * Plugins that throw, and plugins with bugs, through `sluice serve` and HTTP. The plugin
 * lives in a folder outside the checkout and imports its errors from 'sluice' with nothing
 * installed there (the engine provides the module).
 *
 * - `throw InvalidScope(…)` and `throw new InvalidScope(…)` both answer 400 invalid_scope.
 * - A `§` in an error message reaches the client as "section" (error_description is ASCII).
 * - A promise rejected with no handler (a plugin bug) is logged, and the server keeps serving.
 * - An uncaught exception is logged, and the server exits 1 (the process state is unknown).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, serve, trackedTempDir, waitFor, type Served } from './cli.js';

const PLUGIN = `
import { defineValve, InvalidScope } from 'sluice';

const valve = (name, run) => defineValve({
  name,
  create() {
    return async function plugin(flow, next) {
      run(flow);
      await next();
    };
  },
});

export default [
  valve('ThrowCalled', () => { throw InvalidScope('scope refused (RFC 6749 §3.3)'); }),
  valve('ThrowConstructed', () => { throw new InvalidScope('scope refused (RFC 6749 §3.3)'); }),
  // Bugs: a promise nobody handles, and a throw outside any request.
  valve('LeakRejection', () => { setTimeout(() => { Promise.reject(new Error('leaked rejection')); }, 0); }),
  valve('CrashLater', () => { setTimeout(() => { throw new Error('thrown from a timer'); }, 0); }),
  // The common plugin bug of issue 9 item 14: next() without await; ScopeCheck throws later.
  defineValve({ name: 'NoAwait', create: () => async function noAwait(flow, next) { next(); } }),
];
`;

const pipe = (id: string, valve: string) => `
  - id: ${id}
    valves:
      - name: ClientAuthenticate
      - name: ${valve}
      - name: ScopeCheck
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse`;
const rp = (id: string) => `
  - client_id: ${id}
    client_secret: \${env.SECRET}
    scopes: [read]
    client_credentials_pipe_id: ${id}`;

const CLIENTS = { called: 'ThrowCalled', constructed: 'ThrowConstructed', leaky: 'LeakRejection', crashing: 'CrashLater', hasty: 'NoAwait' };
const CONFIG = `plugins: [./plugins/buggy.js]
keystores: [{ id: signing, type: generated }]
rps:${Object.keys(CLIENTS).map(rp).join('')}
pipes:${Object.entries(CLIENTS).map(([id, valve]) => pipe(id, valve)).join('')}
`;
const ENV = { SECRET: 'a-secret-0123456789' };

let dir: string;
const servers: Served[] = [];

beforeAll(() => {
  requireBuild();
  dir = trackedTempDir();
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'sluice.yaml'), CONFIG);
  mkdirSync(join(dir, 'plugins'));
  writeFileSync(join(dir, 'plugins/buggy.js'), PLUGIN);
});
afterAll(() => {
  for (const s of servers) s.kill();
  removeTempDirs();
});

async function start(): Promise<Served> {
  const served = await serve('sluice.yaml', { cwd: dir, env: ENV });
  servers.push(served);
  return served;
}

async function token(url: string, client: string, form = '') {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client}:${ENV.SECRET}`).toString('base64')}` },
    body: `grant_type=client_credentials${form}`,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const logLines = (served: Served) => served.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('OAuth errors thrown by a plugin', () => {
  it('InvalidScope(...) and new InvalidScope(...) both answer 400 invalid_scope; § reads "section"', async () => {
    const served = await start();
    for (const client of ['called', 'constructed']) {
      const { status, body } = await token(served.url, client);
      expect({ client, status, error: body.error }).toEqual({ client, status: 400, error: 'invalid_scope' });
      expect(body.error_description).toBe('scope refused (RFC 6749 section 3.3)');
    }
  });
});

describe('a plugin bug does not take sluice serve down', () => {
  it('an unhandled rejection is logged at error level, and the next request is answered', async () => {
    const served = await start();
    expect((await token(served.url, 'leaky')).status).toBe(200);
    await waitFor(served.stdout, /"event":"unhandled_rejection"/, served.exited);
    const logged = logLines(served).find((l) => l.event === 'unhandled_rejection');
    expect(logged).toMatchObject({ level: 50, err: { message: 'leaked rejection' } });
    expect(JSON.stringify(logged)).not.toContain(ENV.SECRET);
    const next = await token(served.url, 'called');
    expect(next.status).toBe(400); // answered by the same process
    expect(served.child.exitCode).toBeNull();
  });

  it('a valve calling next() without await, then a refused scope: the server keeps answering', async () => {
    const served = await start();
    const first = await token(served.url, 'hasty', '&scope=nope');
    expect(first.status).toBeGreaterThanOrEqual(400); // refused or server_error: the runner's business
    const next = await token(served.url, 'leaky');
    expect(next.status).toBe(200);
    expect(served.child.exitCode).toBeNull();
  });

  it('an uncaught exception is logged (fatal) and the server exits 1', async () => {
    const served = await start();
    // The timer may fire before the answer is written (signing runs on the threadpool):
    // the connection then closes unanswered, which is what a crash means.
    await token(served.url, 'crashing').catch(() => undefined);
    const { code } = await served.exited;
    expect(code).toBe(1);
    expect(logLines(served).find((l) => l.event === 'uncaught_exception')).toMatchObject({ level: 60, err: { message: 'thrown from a timer' } });
  });
});
