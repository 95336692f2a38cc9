/**
 * `type: managed`: the server makes, announces, uses and retires its keys by itself. The
 * clock is injected and moved; a resource server that keeps /jwks for max-age (and never
 * refetches sooner) verifies every token issued along the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../../helpers/redis.js';
import { kidOf, loadManaged, managedConfig, newEncryptionKey, resourceServer, served } from './harness.js';

const MAX_AGE = 300;
const TTL = 600;
const DAY = 86400;
const config = (store = '') => managedConfig({ maxAge: MAX_AGE, ttl: `${TTL}s`, rotateEvery: '1d', store });

describe('managed keys, on the memory store', () => {
  it('announces each key before it signs and retires the old one after the tokens it signed expired; the resource server verifies every token', async () => {
    const clock = { now: 1_900_000_000 };
    const now = () => clock.now;
    const { engine, diagnostics } = await loadManaged(config(), { key: newEncryptionKey(), now });
    expect(diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'keystore_invalid' })); // memory store: per process
    await engine.keysReady();
    const server = served(engine);
    const verify = resourceServer(() => server.jwks(), MAX_AGE, now);
    const kids: string[] = [];
    const published: string[][] = [];
    // Four days, a token every ten minutes, the ring refreshed as requests come.
    for (let step = 0; step < 4 * 144; step++) {
      const token = await server.token();
      await verify(token); // throws on any failure
      kids.push(kidOf(token));
      if (step % 36 === 0) published.push((await server.jwks()).keys!.map((k) => String(k.kid)));
      clock.now += 600;
      await engine.keysReady();
    }
    const signers = [...new Set(kids)];
    expect(signers.length).toBeGreaterThanOrEqual(4); // one key a day
    // Never more than: the key that signs, the next one, the one before while its tokens live.
    expect(Math.max(...published.map((p) => p.length))).toBeLessThanOrEqual(3);
    // The first key is gone from /jwks by the end.
    expect((await server.jwks()).keys!.map((k) => k.kid)).not.toContain(signers[0]);
  });

  it('the first key signs at once; the next one only after it was announced', async () => {
    const clock = { now: 1_900_000_000 };
    const { engine } = await loadManaged(config(), { key: newEncryptionKey(), now: () => clock.now });
    await engine.keysReady();
    const server = served(engine);
    const first = kidOf(await server.token());
    expect((await server.jwks()).keys!.map((k) => k.kid)).toEqual([first]);
    clock.now += DAY - 2 * (MAX_AGE + 2); // the next key is made now
    await engine.keysReady();
    const next = (await server.jwks()).keys!.map((k) => String(k.kid)).filter((k) => k !== first);
    expect(next).toHaveLength(1);
    expect(kidOf(await server.token())).toBe(first);
    clock.now += 2 * (MAX_AGE + 2); // the next period
    await engine.keysReady();
    expect(kidOf(await server.token())).toBe(next[0]);
    expect((await server.jwks()).keys!.map((k) => k.kid)).toEqual([first, next[0]]);
  });

  it('a key made late (no instance up in time) waits its announce window; the former key signs meanwhile', async () => {
    const clock = { now: 1_900_000_000 };
    const { engine, logs } = await loadManaged(config(), { key: newEncryptionKey(), now: () => clock.now });
    await engine.keysReady();
    const server = served(engine);
    const first = kidOf(await server.token());
    clock.now += DAY + 60; // nobody refreshed before the period started
    await engine.keysReady();
    expect(kidOf(await server.token())).toBe(first);
    clock.now += MAX_AGE + 2;
    await engine.keysReady();
    expect(kidOf(await server.token())).not.toBe(first);
    expect(logs.lines.filter((l) => l.event === 'managed_key_created')).toHaveLength(2);
  });
});

describe('managed keys, on Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const redisConfig = (prefix: string) => config(`store: { type: redis, url: "${'$'}{env.REDIS_URL}", prefix: "${prefix}:" }`);

  it('two instances on one Redis agree on the keys: one makes each, the other adopts it', async () => {
    const clock = { now: 1_900_000_000 };
    const key = newEncryptionKey();
    const env = { REDIS_URL: redis.url };
    const [one, two] = await Promise.all([1, 2].map(() => loadManaged(redisConfig('agree'), { key, now: () => clock.now, env })));
    try {
      // Both start at once: each races to make the first key.
      await Promise.all([one!.engine.keysReady(), two!.engine.keysReady()]);
      const [a, b] = [served(one!.engine), served(two!.engine)];
      expect(await b.jwks()).toEqual(await a.jwks());
      expect(kidOf(await b.token())).toBe(kidOf(await a.token()));
      clock.now += DAY;
      await Promise.all([one!.engine.keysReady(), two!.engine.keysReady()]);
      expect(await b.jwks()).toEqual(await a.jwks());
      expect(kidOf(await b.token())).toBe(kidOf(await a.token()));
      const created = [...one!.logs.lines, ...two!.logs.lines].filter((l) => l.event === 'managed_key_created');
      expect(created).toHaveLength(2); // the first key and the next: one instance made each
    } finally {
      await one!.engine.verifyContext.store.close?.();
      await two!.engine.verifyContext.store.close?.();
    }
  });

  it('a store that stops answering: tokens are signed and /jwks served from memory, the failure logged', async () => {
    const own = await RedisServer.start();
    const clock = { now: 1_900_000_000 };
    const { engine, logs } = await loadManaged(redisConfig('outage'), { key: newEncryptionKey(), now: () => clock.now, env: { REDIS_URL: own.url } });
    try {
      await engine.keysReady();
      const server = served(engine);
      const before = await server.jwks();
      await own.stop();
      clock.now += DAY - 2 * (MAX_AGE + 2); // the next key is due: the store must be asked
      await expect(engine.keysReady()).rejects.toBeDefined();
      const answer = await server.app.inject({ method: 'GET', url: '/jwks' });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual(before);
      await resourceServer(() => server.jwks(), MAX_AGE, () => clock.now)(await server.token());
      expect(logs.lines).toContainEqual(expect.objectContaining({ event: 'managed_keys_unavailable', keystore: 'signing' }));
    } finally {
      await engine.verifyContext.store.close?.();
      await own.stop();
    }
  });

  it('keys sealed under another encryption_key: keysReady fails with a clear code, and no key material reaches the log', async () => {
    const clock = { now: 1_900_000_000 };
    const env = { REDIS_URL: redis.url };
    const right = newEncryptionKey();
    const wrong = newEncryptionKey();
    const first = await loadManaged(redisConfig('wrong-key'), { key: right, now: () => clock.now, env });
    await first.engine.keysReady();
    const other = await loadManaged(redisConfig('wrong-key'), { key: wrong, now: () => clock.now, env, logs: first.logs });
    try {
      await expect(other.engine.keysReady()).rejects.toMatchObject({ code: 'managed_key_unreadable' });
      const stored = await first.engine.verifyContext.store.get('keys:managed:signing:slot:0');
      const sealed = JSON.parse(stored!) as { key: string };
      for (const secret of [right, wrong, sealed.key]) expect(first.logs.text).not.toContain(secret);
      expect(first.logs.text).not.toMatch(/"d":/); // no private JWK member
    } finally {
      await first.engine.verifyContext.store.close?.();
      await other.engine.verifyContext.store.close?.();
    }
  });
});
