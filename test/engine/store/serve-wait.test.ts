/**
 * `sluice serve` with a Redis store (the built binary): it waits for Redis at start with
 * a bounded retry and says so in the log; it serves once Redis comes up within
 * store.start_timeout; it exits 1 with a clear message when Redis never does, and
 * neither says the password in the URL. SIGTERM closes the Redis connection and exits 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, serve, sluice, trackedTempDir, waitFor, type Served } from '../../cli/cli.js';
import { RedisServer } from '../../helpers/redis.js';

const SECRET = 'orders-secret-0123456789';
const PASSWORD = 'hunter2-not-for-logs';

let dir: string;
const started: Served[] = [];
const servers: RedisServer[] = [];

function writeConfig(name: string, store: string): string {
  writeFileSync(join(dir, name), `store: ${store}
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: orders
    client_secret: \${env.SECRET}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
  return name;
}

async function redisServer(): Promise<RedisServer> {
  const server = await RedisServer.start();
  servers.push(server);
  return server;
}

const events = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { event?: string }).event);

beforeAll(() => {
  requireBuild();
  dir = trackedTempDir();
});
afterAll(async () => {
  for (const s of started) s.kill();
  await Promise.all(servers.map((s) => s.stop()));
  removeTempDirs();
});

describe('sluice serve with a Redis store', () => {
  it('waits for Redis, logs it, serves tokens, and exits 0 on SIGTERM', async () => {
    const redis = await redisServer();
    const file = writeConfig('up.yaml', '{ type: redis, url: "${env.REDIS_URL}" }');
    const served = await serve(file, { cwd: dir, env: { SECRET, REDIS_URL: redis.url } });
    started.push(served);
    await waitFor(served.stdout, /"event":"listening"/); // the line may trail the first answer
    expect(events(served.stdout())).toEqual(expect.arrayContaining(['store_waiting', 'store_ready', 'listening']));
    const response = await fetch(`${served.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`orders:${SECRET}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    served.child.kill('SIGTERM');
    expect((await served.exited).code).toBe(0);
  });

  it('starts before Redis does and serves once Redis comes up within start_timeout', async () => {
    const redis = await redisServer();
    await redis.stop(); // the port is known; nothing listens yet
    const file = writeConfig('late.yaml', '{ type: redis, url: "${env.REDIS_URL}", start_timeout: 30 }');
    let stdout = (): string => '';
    const serving = serve(file, { cwd: dir, env: { SECRET, REDIS_URL: redis.url }, spawned: (read) => (stdout = read) });
    // Let attempts fail first (the announcement, then a failed attempt): an event, not a sleep.
    await waitFor(() => stdout(), /"event":"store_waiting"[^\n]*\n[\s\S]*"event":"store_waiting"/);
    await redis.start();
    const served = await serving;
    started.push(served);
    const logged = events(served.stdout());
    expect(logged.filter((e) => e === 'store_waiting').length).toBeGreaterThan(1); // the announcement, then failed attempts
    expect(logged).toContain('store_ready');
    served.child.kill('SIGTERM');
    expect((await served.exited).code).toBe(0);
  });

  it('exits 1 with a clear message when Redis never answers, without the URL\'s password', async () => {
    const redis = await redisServer();
    await redis.stop();
    const file = writeConfig('down.yaml', '{ type: redis, url: "${env.REDIS_URL}", start_timeout: 1 }');
    const result = await sluice(['serve', '-c', file, '--port', '0'], { cwd: dir, env: { SECRET, REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${redis.port}` }, timeoutMs: 15_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sluice: the store \(redis redis:\/\/127\.0\.0\.1:\d+\) did not answer within 1 s/m);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(events(result.stdout)).not.toContain('listening');
  });

  it('sluice check does not need Redis', async () => {
    const file = writeConfig('check.yaml', '{ type: redis, url: "redis://127.0.0.1:1", start_timeout: 1 }');
    const result = await sluice(['check', file], { cwd: dir, env: { SECRET } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});
