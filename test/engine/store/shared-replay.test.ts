/**
 * Two instances on one Redis act as one for client-assertion replay (RFC 7523 section 3,
 * "jti"): an assertion used at instance A is refused at instance B, as a load balancer
 * may send the replay to either; in process and as two `sluice serve` processes. With
 * memory stores (the contrast) each instance knows only its own.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, serve as serveCli, trackedTempDir, removeTempDirs, type Served } from '../../cli/cli.js';
import { postToken, serve, type Running } from '../../helpers/sluice.js';
import { RedisServer } from '../../helpers/redis.js';
import { assertion, assertionForm, rsaKeyPair, type KeyPair } from '../client-auth/assertion-kit.js';

const ISSUER = 'http://127.0.0.1:8080';

let redis: RedisServer;
let key: KeyPair;
const running: Running[] = [];
const processes: Served[] = [];

function config(store: string): string {
  return `
issuer: ${ISSUER}
store: ${store}
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: keyed
    token_endpoint_auth_method: private_key_jwt
    jwks: ${JSON.stringify({ keys: [key.publicJwk] })}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
}

async function pair(store: string, env: Record<string, string> = {}): Promise<[Running, Running]> {
  const [a, b] = await Promise.all([serve(config(store), { env }), serve(config(store), { env })]);
  running.push(a, b);
  return [a, b];
}

// Both instances have one issuer (as behind a load balancer), so the assertion's audience is the same.
const signed = () => assertion({ clientId: 'keyed', audience: `${ISSUER}/token`, key: key.privateKey });

beforeAll(async () => {
  [redis, key] = await Promise.all([RedisServer.start(), rsaKeyPair('keyed')]);
});
afterAll(async () => {
  for (const p of processes) p.kill();
  removeTempDirs();
  await Promise.all(running.map(async (r) => {
    await r.close();
    await r.engine.verifyContext.store.close?.();
  }));
  await redis?.stop();
});

describe('two instances on one Redis', () => {
  it('an assertion used at A is refused as a replay at B (and at A); a fresh one works at B', async () => {
    const [a, b] = await pair('{ type: redis, url: "${env.REDIS_URL}", prefix: "shared:" }', { REDIS_URL: redis.url });
    const used = await signed();
    expect((await postToken(a.url, assertionForm(used))).status).toBe(200);
    const replayedAtB = await postToken(b.url, assertionForm(used));
    expect(replayedAtB.status).toBe(401);
    expect(replayedAtB.body.error).toBe('invalid_client');
    expect((await postToken(a.url, assertionForm(used))).status).toBe(401);
    expect((await postToken(b.url, assertionForm(await signed()))).status).toBe(200);
  });

  it('the same assertion sent to A and B at once is accepted exactly once', async () => {
    const [a, b] = await pair('{ type: redis, url: "${env.REDIS_URL}", prefix: "race:" }', { REDIS_URL: redis.url });
    const used = await signed();
    const answers = await Promise.all([a, b, a, b].map((r) => postToken(r.url, assertionForm(used))));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
  });

  it('contrast: with memory stores, each instance knows only its own assertions', async () => {
    const [a, b] = await pair('{ type: memory }');
    const used = await signed();
    expect((await postToken(a.url, assertionForm(used))).status).toBe(200);
    expect((await postToken(b.url, assertionForm(used))).status).toBe(200);
  });
});

describe('two sluice serve processes on one Redis', () => {
  it('an assertion used at A is refused as a replay at B', async () => {
    requireBuild();
    const dir = trackedTempDir();
    writeFileSync(join(dir, 'sluice.yaml'), config('{ type: redis, url: "${env.REDIS_URL}", prefix: "processes:" }'));
    const env = { REDIS_URL: redis.url };
    const [a, b] = await Promise.all([serveCli('sluice.yaml', { cwd: dir, env }), serveCli('sluice.yaml', { cwd: dir, env })]);
    processes.push(a, b);
    const used = await signed();
    expect((await postToken(a.url, assertionForm(used))).status).toBe(200);
    const replayedAtB = await postToken(b.url, assertionForm(used));
    expect(replayedAtB.status).toBe(401);
    expect(replayedAtB.body.error).toBe('invalid_client');
    expect((await postToken(b.url, assertionForm(await signed()))).status).toBe(200);
  });
});
