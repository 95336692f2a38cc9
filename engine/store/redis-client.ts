/**
 * An ioredis client (one node, Sentinel or Cluster) set up so that a Redis outage is a
 * fast error, never a wait. Creating one connects: the store creates it on first use
 * (redis.ts), so loading a config never connects and `sluice check` works with Redis down.
 * (Not ioredis' lazyConnect: a lazy Cluster's first connect() can stay pending for good
 * when its ready check fails, seen with ioredis 5.11.)
 *  - enableOfflineQueue false: while disconnected, a command fails at once instead of
 *    queueing until Redis returns (a request would hang as long as the outage).
 *  - commandTimeout: a Redis that accepts connections but does not answer (paused,
 *    swapping, a black-holed network) fails the command after COMMAND_TIMEOUT_MS.
 *  - maxRetriesPerRequest 0 and no resend after reconnect: a SET NX that may have run
 *    before the connection dropped must not run again, or its second answer ("already
 *    there") would refuse the very assertion that set it as a replay.
 *  - reconnect forever, backing off to RECONNECT_MAX_MS: recovery is automatic.
 */
import { createRequire } from 'node:module';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { DEFAULT_PREFIX, type StoreConfig } from './config.js';

/**
 * ioredis, loaded when the first client is made: importing it costs every start about
 * 0.1-0.2 s, and a config with the memory store (or `sluice check`) never uses it. It is
 * CommonJS, so require() loads it synchronously, as the store's first use needs.
 */
const ioredis = (): typeof import('ioredis') => createRequire(import.meta.url)('ioredis') as typeof import('ioredis');

export const COMMAND_TIMEOUT_MS = 1000;
export const CONNECT_TIMEOUT_MS = 2000;
const RECONNECT_MAX_MS = 2000;

export type RedisClient = Redis | Cluster;

const backoff = (attempt: number) => Math.min(attempt * 100, RECONNECT_MAX_MS);

export function createRedisClient(config: StoreConfig): RedisClient {
  const { Cluster, Redis } = ioredis();
  const common: RedisOptions = {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
  };
  const keyPrefix = config.prefix ?? DEFAULT_PREFIX;
  if (config.cluster) {
    const { enableOfflineQueue, ...redisOptions } = common;
    const options: ClusterOptions = {
      enableOfflineQueue,
      keyPrefix,
      clusterRetryStrategy: backoff,
      redisOptions,
    };
    return new Cluster(config.cluster, options);
  }
  const options: RedisOptions = { ...common, keyPrefix, retryStrategy: backoff };
  if (config.sentinels) return new Redis({ ...options, sentinels: config.sentinels, name: config.name!, sentinelRetryStrategy: backoff });
  return new Redis(config.url!, options);
}
