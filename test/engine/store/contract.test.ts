/**
 * One contract, every backend: what a valve or the replay check may rely on, whether the
 * store is memory or a real redis-server (test/helpers/redis.ts) reached as one node,
 * as a (one-node) Cluster or through a Sentinel. Each test uses keys of its own, so the
 * backends' cases can run side by side.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../../engine/store/config.js';
import { MemoryStore } from '../../../engine/store/memory.js';
import { createRedisClient } from '../../../engine/store/redis-client.js';
import { RedisStore, sameSlot } from '../../../engine/store/redis.js';
import type { Store } from '../../../engine/store/types.js';
import { RedisServer, SENTINEL_MASTER } from '../../helpers/redis.js';

let redis: RedisServer;
let cluster: RedisServer; // one node holding every slot
let sentinel: RedisServer; // watching `redis`
const opened: Store[] = [];

function opening(config: StoreConfig): Store {
  const store = new RedisStore(() => createRedisClient(config), 'redis under test');
  opened.push(store);
  return store;
}

const redisStore = (prefix = 'contract:') => opening({ type: 'redis', url: redis.url, prefix });

beforeAll(async () => {
  [redis, cluster] = await Promise.all([RedisServer.start(), RedisServer.start({ cluster: true })]);
  sentinel = await RedisServer.sentinelFor(redis);
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close?.()));
  await Promise.all([sentinel, cluster, redis].map((s) => s?.stop()));
});

const backends: Array<[string, () => Store]> = [
  ['memory', () => new MemoryStore()],
  ['redis', () => redisStore()],
  ['redis cluster', () => opening({ type: 'redis', cluster: [{ host: '127.0.0.1', port: cluster.port }], prefix: 'contract:' })],
  ['redis sentinel', () => opening({ type: 'redis', sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: SENTINEL_MASTER, prefix: 'sentinel:' })],
];

const key = (name: string) => `${name}:${randomUUID()}`;

/** Resolves once `check` holds, polling: waiting for an expiry is an event, not a timing assertion. */
async function eventually(check: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(backends)('store contract: %s', (_name, make) => {
  it('putIfAbsent sets a key once (the second call is a replay) and keeps the first value', async () => {
    const store = make();
    const k = key('assertion');
    expect(await store.putIfAbsent(k, 60, 'first')).toBe(true);
    expect(await store.putIfAbsent(k, 60, 'second')).toBe(false);
    expect(await store.get(k)).toBe('first');
    const plain = key('assertion');
    expect(await store.putIfAbsent(plain, 60)).toBe(true);
    expect(await store.get(plain)).toBe('1');
  });

  it('of many concurrent putIfAbsent calls on one key, exactly one wins', async () => {
    const store = make();
    const k = key('race');
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => store.putIfAbsent(k, 60, String(i))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('get of an unknown key is undefined; set overwrites; delete removes', async () => {
    const store = make();
    const k = key('value');
    expect(await store.get(k)).toBeUndefined();
    await store.set(k, 'a', 60);
    await store.set(k, 'b', 60);
    expect(await store.get(k)).toBe('b');
    await store.delete(k);
    expect(await store.get(k)).toBeUndefined();
    expect(await store.putIfAbsent(k, 60)).toBe(true);
    await store.delete(key('never-set')); // deleting nothing is fine
  });

  it('values are strings kept exactly (JSON, unicode)', async () => {
    const store = make();
    const k = key('json');
    const value = JSON.stringify({ sub: 'müller', scope: 'a b', n: 1 });
    await store.set(k, value, 60);
    expect(await store.get(k)).toBe(value);
  });

  it('increment counts from 1, per key, and concurrent increments are all counted', async () => {
    const store = make();
    const k = key('counter');
    expect(await store.increment(k, 60)).toBe(1);
    expect(await store.increment(k, 60)).toBe(2);
    expect(await store.increment(key('counter'), 60)).toBe(1);
    const counts = await Promise.all(Array.from({ length: 40 }, () => store.increment(k, 60)));
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 3));
  });

  it('entries and counter windows expire after their TTL; longer ones stay', async () => {
    const store = make();
    const [short, long, counter] = [key('short'), key('long'), key('window')];
    await store.set(short, 'x', 1);
    await store.set(long, 'y', 600);
    await store.increment(counter, 1);
    await store.increment(counter, 1);
    await eventually(async () => (await store.get(short)) === undefined);
    await eventually(async () => (await store.increment(counter, 1)) === 1); // a new window
    expect(await store.get(long)).toBe('y');
    expect(await store.putIfAbsent(short, 60)).toBe(true);
  });
});

describe('redis store: keys on the server', () => {
  it('every key carries the deployment prefix, with the TTL it was given', async () => {
    const store = redisStore('deploy-a:');
    const k = key('assertion');
    await store.putIfAbsent(k, 120);
    const c = key('counter');
    await store.increment(c, 30);
    const raw = new Redis(redis.port, '127.0.0.1');
    try {
      expect(await raw.get(`deploy-a:${k}`)).toBe('1');
      expect(await raw.exists(k)).toBe(0);
      const [ttl, counterTtl] = [await raw.ttl(`deploy-a:${k}`), await raw.ttl(`deploy-a:${c}`)];
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120);
      expect(counterTtl).toBeGreaterThan(0);
      expect(counterTtl).toBeLessThanOrEqual(30);
    } finally {
      raw.disconnect();
    }
  });

  it('two prefixes on one Redis do not see each other', async () => {
    const [a, b] = [redisStore('tenant-a:'), redisStore('tenant-b:')];
    const k = key('assertion');
    expect(await a.putIfAbsent(k, 60)).toBe(true);
    expect(await b.putIfAbsent(k, 60)).toBe(true);
    expect(await a.putIfAbsent(k, 60)).toBe(false);
  });

  it('keys that share a sameSlot tag land in one Cluster slot, whatever the prefix', async () => {
    const raw = new Redis(cluster.port, '127.0.0.1');
    try {
      const slot = (k: string) => raw.cluster('KEYSLOT', k) as Promise<number>;
      const tag = sameSlot('client-a');
      const [first, second] = [await slot(`sluice:token:${tag}:1`), await slot(`sluice:index:${tag}`)];
      expect(first).toBe(second);
      expect(sameSlot('odd{name}')).toBe('{odd_name_}'); // braces inside would end the tag early
    } finally {
      raw.disconnect();
    }
  });

  it('a counter some other writer left without a TTL gets one on its next increment', async () => {
    const store = redisStore('repair:');
    const c = key('counter');
    const raw = new Redis(redis.port, '127.0.0.1');
    try {
      await raw.set(`repair:${c}`, '5');
      expect(await store.increment(c, 30)).toBe(6);
      expect(await raw.ttl(`repair:${c}`)).toBeGreaterThan(0);
    } finally {
      raw.disconnect();
    }
  });
});
