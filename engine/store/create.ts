/** The store a config asks for. Creating it never connects: a Redis store connects on first use. */
import type { Logger } from 'pino';
import { describeStore, type StoreConfig } from './config.js';
import { MemoryStore } from './memory.js';
import { createRedisClient } from './redis-client.js';
import { RedisStore } from './redis.js';
import type { Store } from './types.js';

export function createStore(config: StoreConfig, options: { now: () => number; logger: Logger }): Store {
  if (config.type === 'redis') return new RedisStore(() => createRedisClient(config), describeStore(config), options.logger);
  return new MemoryStore({ now: options.now, ...(config.capacity !== undefined ? { capacity: config.capacity } : {}) });
}
