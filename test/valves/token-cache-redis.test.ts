/**
 * TokenCache with `store: true` on one real Redis: two instances (one signing key, as
 * behind a load balancer) hand out the same token; a revocation at one is seen by the
 * other; and a Redis outage only costs the reuse: tokens are still issued.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { RedisServer } from '../helpers/redis.js';
import { verifyToken } from '../helpers/tokens.js';

const S = 'token-cache-redis-secret-0123456789';
const CONFIG = `
issuer: http://127.0.0.1:8080
store: { type: redis, url: "\${env.REDIS_URL}", prefix: "token-cache-test:" }
keystores: [{ id: signing, type: pem, path: signing.pem }]
rps:
  - { client_id: shared, client_secret: "\${env.S}", scopes: [a, b], client_credentials_pipe_id: p }
pipes:
  - id: p
    valves:
      - name: ScopeCheck
      - name: TokenCache
        config: { store: true }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;

let redis: RedisServer;
let a: Running;
let b: Running;

beforeAll(async () => {
  redis = await RedisServer.start();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const options = { env: { S, REDIS_URL: redis.url }, files: { 'signing.pem': privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } };
  [a, b] = await Promise.all([serve(CONFIG, options), serve(CONFIG, options)]);
}, 30_000);
afterAll(async () => {
  for (const s of [a, b]) {
    await s?.close();
    await s?.engine.verifyContext.store.close?.();
  }
  await redis?.stop();
});

const token = async (server: Running, scope: string) => postToken(server.url, { grant_type: 'client_credentials', scope }, { authorization: basic('shared', S) });

describe('TokenCache in Redis', () => {
  it('two instances hand out the same token; revoked at one, both issue a fresh one', async () => {
    const first = await token(a, 'a');
    expect(first.status).toBe(200);
    const again = await token(b, 'a');
    expect(again.body.access_token).toBe(first.body.access_token);
    expect((await token(b, 'b')).body.access_token).not.toBe(first.body.access_token);

    const revoked = await fetch(`${b.url}/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('shared', S) }, body: new URLSearchParams({ token: String(first.body.access_token) }) });
    expect(revoked.status).toBe(200);
    const fresh = await token(a, 'a');
    expect(fresh.body.access_token).not.toBe(first.body.access_token);
    expect((await token(b, 'a')).body.access_token).toBe(fresh.body.access_token);
    await verifyToken(b.url, String(fresh.body.access_token));
  });

  it('a Redis outage costs only the reuse: a token is still issued', async () => {
    await redis.stop();
    try {
      const answer = await token(a, 'a b');
      expect(answer.status).toBe(200);
      await verifyToken(a.url, String(answer.body.access_token));
      expect(a.logs.text).not.toContain(String(answer.body.access_token));
    } finally {
      await redis.start();
    }
  });
});
