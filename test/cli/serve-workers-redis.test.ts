/**
 * `sluice serve --workers 2` with a Redis store: every worker connects to Redis itself
 * (the primary only checks it answers), and they still act as one server: a RateLimit
 * budget is spent once across workers and a revocation at one holds at the other. The
 * `generated` key is the primary's, so every token verifies against one /jwks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../helpers/sluice.js';
import { RedisServer } from '../helpers/redis.js';
import { removeTempDirs, requireBuild, serve, trackedTempDir, waitFor, type Served } from './cli.js';
import { answeredBy, inTurn, logLines, postFresh } from './workers.js';

const S = 'workers-redis-secret-0123456789';
const CONFIG = `
store: { type: redis, url: "\${env.REDIS_URL}", prefix: "workers:" }
keystores: [{ id: dev, type: generated }]
rps:
  - { client_id: limited, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: limited }
  - { client_id: resource-server, client_secret: "\${env.S}", introspection: true }
pipes:
  - id: limited
    valves:
      - { name: RateLimit, config: { limit: 3, window: 1h } }
      - { name: CreateJwt, config: { keystore: dev } }
      - { name: TokenResponse }
`;

let redis: RedisServer;
let server: Served;

beforeAll(async () => {
  requireBuild();
  redis = await RedisServer.start();
  const dir = trackedTempDir();
  writeFileSync(join(dir, 'sluice.yaml'), CONFIG);
  server = await serve('sluice.yaml', { cwd: dir, env: { S, REDIS_URL: redis.url }, extraArgs: ['--workers', '2'], startTimeoutMs: 60_000 });
  await waitFor(server.stdout, /"event":"workers_ready"/, server.exited, 60_000);
}, 90_000);
afterAll(async () => {
  server?.kill();
  removeTempDirs();
  await redis?.stop();
});

describe('sluice serve --workers 2 on Redis', () => {
  it('each worker connects to Redis; a RateLimit budget is spent once; a revocation holds at both; one key', async () => {
    expect(answeredBy(server, (l) => l.event === 'store_ready').size).toBe(2);
    const answers = await inTurn(5, () => postFresh(server, '/token', { grant_type: 'client_credentials' }, { authorization: basic('limited', S) }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answeredBy(server, (l) => l.event === 'token').size).toBe(2);

    const jwks = createLocalJWKSet((await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet);
    for (const answer of answers.slice(0, 3)) await jwtVerify(String(answer.body.access_token), jwks, { issuer: server.url });

    const revoked = String(answers[0]!.body.access_token);
    expect((await postFresh(server, '/revoke', { token: revoked }, { authorization: basic('limited', S) })).status).toBe(200);
    const before = logLines(server).length;
    const checks = await inTurn(4, () => postFresh(server, '/introspect', { token: revoked }, { authorization: basic('resource-server', S) }));
    for (const check of checks) expect(check).toEqual({ status: 200, body: { active: false } });
    expect(answeredBy(server, (l) => l.event === 'introspect', before).size).toBe(2);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
