/**
 * RateLimit on one real Redis: two servers (each with its own Redis connection, as two
 * instances behind a load balancer) spend one budget; and a Redis outage refuses with 503
 * by default (fail closed) or lets requests through with `fail_open: true`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { RedisServer } from '../helpers/redis.js';

const S = 'rate-limit-redis-secret-0123456789';
let now = 1_800_000_000;

const CONFIG = `
issuer: http://127.0.0.1:8080
store: { type: redis, url: "\${env.REDIS_URL}", prefix: "ratelimit-test:" }
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: acme-1, client_secret: "\${env.S}", client_credentials_pipe_id: closed, attributes: { tenant: acme } }
  - { client_id: acme-2, client_secret: "\${env.S}", client_credentials_pipe_id: closed, attributes: { tenant: acme } }
  - { client_id: relaxed, client_secret: "\${env.S}", client_credentials_pipe_id: open }
pipes:
  - id: closed
    valves:
      - name: RateLimit
        config: { limit: 3, window: 1m, key: "\${client.attributes.tenant}" }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
  - id: open
    valves:
      - name: RateLimit
        config: { limit: 3, window: 1m, fail_open: true }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;

let redis: RedisServer;
let a: Running;
let b: Running;

beforeAll(async () => {
  redis = await RedisServer.start();
  const options = { env: { S, REDIS_URL: redis.url }, now: () => now };
  [a, b] = await Promise.all([serve(CONFIG, options), serve(CONFIG, options)]);
}, 30_000);
afterAll(async () => {
  for (const s of [a, b]) {
    await s?.close();
    await s?.engine.verifyContext.store.close?.();
  }
  await redis?.stop();
});

const token = (server: Running, client: string) => postToken(server.url, { grant_type: 'client_credentials' }, { authorization: basic(client, S) });

describe('RateLimit on Redis', () => {
  it('two instances share one budget per tenant', async () => {
    expect(a.engine.verifyContext.store).not.toBe(b.engine.verifyContext.store);
    expect((await token(a, 'acme-1')).status).toBe(200);
    expect((await token(b, 'acme-2')).status).toBe(200);
    expect((await token(a, 'acme-2')).status).toBe(200);
    const refused = await token(b, 'acme-1');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('temporarily_unavailable');
    expect(refused.headers.get('retry-after')).toBe('60'); // 1_800_000_000 starts a minute
    expect((await token(a, 'acme-1')).status).toBe(429);
    now += 60; // the next window, on both instances
    expect((await token(b, 'acme-1')).status).toBe(200);
  });

  it('a store outage refuses with 503 by default, and lets requests through with fail_open', async () => {
    now += 3600;
    await redis.stop();
    try {
      const refused = await token(a, 'acme-1');
      expect(refused.status).toBe(503);
      expect(refused.body.error).toBe('temporarily_unavailable');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const through = await token(a, 'relaxed');
      expect(through.status).toBe(200);
      expect(typeof through.body.access_token).toBe('string');
      expect(a.logs.lines.some((l) => typeof l.msg === 'string' && l.msg.includes('fail_open'))).toBe(true);
    } finally {
      await redis.start();
    }
  });
});
