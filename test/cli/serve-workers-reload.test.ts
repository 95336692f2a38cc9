/**
 * `sluice serve --workers 2` reloads as one server. Proven: SIGHUP at the primary reloads
 * both workers under keep-alive load with no failed request (every worker answers with the
 * new config, polled on fresh connections that node:cluster hands round), with a summary
 * line from the primary and tokens that still verify against the /jwks fetched before (the
 * generated key is kept); a refused config is
 * told by the primary alone, as `check` tells it, and no worker changes; a worker that
 * crashes after a reload comes back on the new config; --watch in the primary reloads them
 * all when a `${file.…}` file changes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../helpers/sluice.js';
import { removeTempDirs, requireBuild, serve, trackedTempDir, waitFor, type Served } from './cli.js';
import { claims, postOn, startLoad, until } from './reload-kit.js';
import { answeredBy, logLines, postFresh } from './workers.js';

const S = 'workers-reload-secret-0123';

const config = (version: number, clients: string[], typo = false) => `
keystores: [{ id: dev, type: generated, alg: ES256 }]
rps:
${clients.map((id) => `  - { client_id: ${id}, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: jwt }`).join('\n')}
pipes:
  - id: jwt
    valves:
      - { name: ScopeCheck }
      - name: CreateJwt
        config:
          keystore: dev
          ${typo ? 'jwt_claimz' : 'jwt_claims'}: { version: ${version}, tier: "\${file.tier.txt}" }
      - { name: TokenResponse }
`;

let dir: string;
let server: Served;
let jwks: ReturnType<typeof createLocalJWKSet>;

const token = (client: string) => postFresh(server, '/token', { grant_type: 'client_credentials' }, { authorization: basic(client, S) });
const events = (event: string) => logLines(server).filter((l) => l.event === event);

/** Fresh connections until both workers have answered `client` with a token that passes `check`. */
async function bothWorkersServe(client: string, check: (c: Record<string, unknown>) => boolean): Promise<void> {
  const from = logLines(server).length;
  const pids = new Set<unknown>();
  await until(async () => {
    const answer = await token(client);
    if (answer.status === 200 && check(claims(String(answer.body.access_token)))) {
      for (const pid of answeredBy(server, (l) => l.event === 'token' && l.client_id === client && l.outcome === 'issued', from)) pids.add(pid);
    }
    return pids.size === 2;
  }, `both workers serve ${client} with the new config`, 60_000);
}

beforeAll(async () => {
  requireBuild();
  dir = trackedTempDir();
  writeFileSync(join(dir, 'tier.txt'), 'gold\n');
  writeFileSync(join(dir, 'sluice.yaml'), config(1, ['steady']));
  server = await serve('sluice.yaml', { cwd: dir, env: { S }, extraArgs: ['--workers', '2', '--watch'], startTimeoutMs: 60_000 });
  await waitFor(server.stdout, /"event":"workers_ready"/, server.exited, 60_000);
  jwks = createLocalJWKSet((await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet);
}, 90_000);
afterAll(() => {
  server?.kill();
  removeTempDirs();
});

describe('sluice serve --workers 2: reload', () => {
  it('SIGHUP reloads both workers under keep-alive load, failing no request: a new client and a changed claim at each, tokens verify against the /jwks from before', async () => {
    // Keep-alive connections stay with the worker they were handed to: four reach both.
    const load = startLoad(4, (agent) => postOn(agent, `${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic('steady', S) }));
    try {
      await until(() => load.tokens.some((t) => claims(t).version === 1), 'the load is under way');
      writeFileSync(join(dir, 'sluice.yaml'), config(2, ['steady', 'newcomer']));
      server.child.kill('SIGHUP');
      await bothWorkersServe('newcomer', (c) => c.version === 2);
      await bothWorkersServe('steady', (c) => c.version === 2);
      await until(() => load.tokens.some((t) => claims(t).version === 2), 'the load sees version 2');
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(new Set(load.tokens.map((t) => claims(t).version))).toEqual(new Set([1, 2]));
    for (const t of load.tokens) await jwtVerify(t, jwks, { issuer: server.url, typ: 'at+jwt' });
    await until(() => events('reloaded').some((l) => l.process === 'primary' && l.workers === 2), 'the primary says both reloaded');
    const answer = await token('newcomer');
    await jwtVerify(String(answer.body.access_token), jwks, { issuer: server.url, typ: 'at+jwt' });
    expect(events('reload_failed')).toEqual([]);
  }, 120_000);

  it('an invalid config is told by the primary alone, in FILE:LINE:COL form; the workers keep serving the previous one', async () => {
    writeFileSync(join(dir, 'sluice.yaml'), config(3, ['steady', 'newcomer'], true));
    server.child.kill('SIGHUP');
    await until(() => events('reload_failed').length > 0, 'reload_failed');
    // Told by the primary only (--watch may tell the same edit once more), never by a worker.
    for (const failed of events('reload_failed')) {
      expect(failed).toMatchObject({ process: 'primary', diagnostics: [expect.objectContaining({ file: 'sluice.yaml', code: 'schema' })] });
    }
    expect(server.stderr()).toMatch(/^sluice\.yaml:\d+:\d+: error: /m);
    for (let i = 0; i < 4; i++) expect(claims(String((await token('newcomer')).body.access_token)).version).toBe(2);
    writeFileSync(join(dir, 'sluice.yaml'), config(3, ['steady', 'newcomer']));
    server.child.kill('SIGHUP');
    await bothWorkersServe('newcomer', (c) => c.version === 3);
  }, 120_000);

  it('a worker that crashes after a reload comes back on the new config', async () => {
    const listening = () => logLines(server).filter((l) => l.process === 'worker' && l.event === 'listening');
    const victim = listening()[0]!.pid as number;
    process.kill(victim, 'SIGKILL');
    await until(() => listening().length >= 3, 'a replacement worker listens', 60_000);
    const replacement = listening()[2]!.pid;
    const from = logLines(server).length;
    await until(async () => {
      const answer = await token('newcomer');
      expect(answer.status).toBe(200);
      expect(claims(String(answer.body.access_token)).version).toBe(3);
      return answeredBy(server, (l) => l.event === 'token' && l.pid === replacement, from).size === 1;
    }, 'the replacement answers', 60_000);
  }, 120_000);

  it('--watch (in the primary) reloads every worker when an included file changes', async () => {
    writeFileSync(join(dir, 'tier.txt'), 'platinum\n');
    await bothWorkersServe('steady', (c) => c.tier === 'platinum');
    expect(events('reloaded').some((l) => l.process === 'primary' && l.trigger === 'watch')).toBe(true);
  }, 120_000);
});
