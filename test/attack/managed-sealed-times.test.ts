/**
 * Attack review (issue 15): a managed key's times (created, activates_at) are stored in
 * clear beside the sealed private key and decide when it signs. They were outside the
 * AES-GCM additional data, so whoever can write to the store could move them and make a
 * key sign before resource servers could have learnt it. Now they are bound: an altered
 * entry does not open, like one sealed under another encryption_key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../helpers/redis.js';
import { loadManaged, managedConfig, newEncryptionKey } from '../keystores/managed/harness.js';

const config = managedConfig({ maxAge: 300, ttl: '600s', rotateEvery: '1d', store: `store: { type: redis, url: "${'$'}{env.REDIS_URL}", prefix: "tamper:" }` });
const SLOT_0 = 'keys:managed:signing:slot:0';

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.stop();
});

describe('a managed key whose stored times were altered (attack review)', () => {
  it('does not open; an untouched one still does', async () => {
    const clock = { now: 1_900_000_000 };
    const key = newEncryptionKey();
    const env = { REDIS_URL: redis.url };
    const maker = await loadManaged(config, { key, now: () => clock.now, env });
    await maker.engine.keysReady();
    const store = maker.engine.verifyContext.store;
    const untouched = await loadManaged(config, { key, now: () => clock.now, env });
    const tampered = await loadManaged(config, { key, now: () => clock.now, env });
    try {
      await expect(untouched.engine.keysReady()).resolves.toBeUndefined();
      const sealed = JSON.parse((await store.get(SLOT_0))!) as { created: number; activates_at: number };
      await store.set(SLOT_0, JSON.stringify({ ...sealed, created: sealed.created - 86400, activates_at: sealed.activates_at - 86400 }), 3600);
      await expect(tampered.engine.keysReady()).rejects.toMatchObject({ code: 'managed_key_unreadable' });
    } finally {
      for (const { engine } of [maker, untouched, tampered]) await engine.verifyContext.store.close?.();
    }
  });
});
