/**
 * Third attack review: a client's flood of opaque tokens must not fill the store that
 * revocations and assertion ids need (M2), and a Redis that evicts keys is said loudly at
 * start, since eviction would bring revoked tokens back (M1).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../engine/logger.js';
import { createStore } from '../../../engine/store/create.js';
import { waitForStore } from '../../../engine/store/wait.js';
import { basic, LogCapture, postToken, serve, type Running } from '../../helpers/sluice.js';
import { RedisServer } from '../../helpers/redis.js';

const S = 'quota-secret-0123456789';

describe('opaque tokens per client', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(`
keystores: [{ id: k, type: generated }]
rps:
  - { client_id: flood, client_secret: "\${env.S}", client_credentials_pipe_id: opaque }
  - { client_id: calm, client_secret: "\${env.S}", client_credentials_pipe_id: opaque }
pipes: [{ id: opaque, valves: [{ name: CreateOpaqueToken, config: { ttl: 10m } }, { name: TokenResponse }] }]
`, { env: { S } });
  });
  afterAll(() => s.close());

  it('a client past 1000 live opaque tokens gets 503; another client still gets tokens', async () => {
    const auth = { authorization: basic('flood', S) };
    for (let i = 0; i < 1000; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => postToken(s.url, { grant_type: 'client_credentials' }, auth)));
      expect(batch.every((r) => r.status === 200)).toBe(true);
    }
    const over = await postToken(s.url, { grant_type: 'client_credentials' }, auth);
    expect(over.status).toBe(503);
    expect(over.body.error).toBe('temporarily_unavailable');
    expect((await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('calm', S) })).status).toBe(200);
  });
});

describe('a Redis that evicts keys', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.stop());

  it('is logged as an error at start (store_evicts), and not under noeviction', async () => {
    const port = new URL(redis.url).port;
    const logs = new LogCapture();
    const logger = createLogger('info', logs);
    const store = createStore({ type: 'redis', url: redis.url, prefix: 'evict:' } as never, { now: () => 0, logger });
    try {
      await promisify(execFile)('redis-cli', ['-p', port, 'config', 'set', 'maxmemory-policy', 'allkeys-lru']);
      expect(await waitForStore(store, logger, 5)).toBeUndefined();
      expect(logs.lines.filter((l) => l.event === 'store_evicts')).toEqual([expect.objectContaining({ maxmemory_policy: 'allkeys-lru' })]);
      await promisify(execFile)('redis-cli', ['-p', port, 'config', 'set', 'maxmemory-policy', 'noeviction']);
      await waitForStore(store, logger, 5);
      expect(logs.lines.filter((l) => l.event === 'store_evicts')).toHaveLength(1);
    } finally {
      await store.close?.();
    }
  });
});
