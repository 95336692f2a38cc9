/**
 * The `store` section: which backend holds state that outlives a request, and how to
 * reach it. The schema says the types of the fields; `checkStoreConfig` says what the
 * schema cannot (which fields go with which form, a URL that ioredis can use) at the
 * YAML node, without connecting: `sluice check` never needs Redis to be up.
 */
import type { DiagnosticSink } from '../diagnostics.js';

export const STORE_TYPES = ['memory', 'redis'] as const;
export type StoreType = (typeof STORE_TYPES)[number];

export interface RedisNode {
  host: string;
  port: number;
}

export interface StoreConfig {
  type: StoreType;
  /** memory: most entries held at once. */
  capacity?: number;
  /** redis, one node: redis://[user:password@]host[:port][/db], or rediss:// for TLS. */
  url?: string;
  /** redis, Sentinel: the sentinels and the name of the master they watch. */
  sentinels?: RedisNode[];
  name?: string;
  /** redis, Cluster: some of the cluster's nodes (the rest are discovered). */
  cluster?: RedisNode[];
  /** redis, Sentinel and Cluster: the Redis nodes' ACL user and password (in `url` for one node). */
  username?: string;
  password?: string;
  /** redis: put before every key, one per deployment sharing a Redis. */
  prefix?: string;
  /** redis: seconds `sluice serve` waits for Redis at start before giving up. */
  start_timeout?: number;
}

export const DEFAULT_PREFIX = 'sluice:';
export const DEFAULT_START_TIMEOUT = 30;

const REDIS_ONLY = ['url', 'sentinels', 'name', 'cluster', 'username', 'password', 'prefix', 'start_timeout'] as const;
const FORMS = ['url', 'sentinels', 'cluster'] as const;

/** Problems the schema cannot see, reported at the field. Messages never echo a URL (it may hold a password). */
export function checkStoreConfig(store: StoreConfig | undefined, sink: DiagnosticSink): void {
  // A type the schema refused was reported there; guessing its fields would only add noise.
  if (!store || typeof store !== 'object' || !STORE_TYPES.includes(store.type)) return;
  const at = (field: string) => ['store', field];
  if (store.type === 'memory') {
    for (const field of REDIS_ONLY) if (store[field] !== undefined) sink.add('schema', `store.${field} is for type: redis; the memory store takes only capacity`, at(field), { atKey: true });
    return;
  }
  if (store.capacity !== undefined) sink.add('schema', 'store.capacity is for type: memory (Redis bounds itself: set maxmemory there)', at('capacity'), { atKey: true });
  const given = FORMS.filter((form) => store[form] !== undefined);
  if (given.length !== 1) {
    const message = given.length === 0
      ? 'a redis store needs one of url (one node), sentinels + name (Sentinel) or cluster (Cluster)'
      : `give only one of url, sentinels, cluster (found ${given.join(' and ')})`;
    sink.add('schema', message, given.length === 0 ? ['store'] : at(given[1]!), { atKey: given.length > 0 });
    return;
  }
  if (store.sentinels !== undefined && store.name === undefined) sink.add('schema', 'store.sentinels needs name: the master name the sentinels watch (sentinel.conf "sentinel monitor NAME …")', at('sentinels'), { atKey: true });
  if (store.name !== undefined && store.sentinels === undefined) sink.add('schema', 'store.name is the Sentinel master name: it goes with sentinels', at('name'), { atKey: true });
  if (typeof store.url === 'string') {
    const problem = redisUrlProblem(store.url);
    if (problem) sink.add('schema', `store.url ${problem}`, at('url'));
    for (const field of ['username', 'password'] as const) {
      if (store[field] !== undefined) sink.add('schema', `store.${field} is for sentinels and cluster; with url, put it in the URL (redis://user:password@host:6379)`, at(field), { atKey: true });
    }
  }
}

/** What ioredis needs of a URL: redis: or rediss:, a host, an optional port and db number. */
export function redisUrlProblem(text: string): string | undefined {
  const example = ' (e.g. redis://127.0.0.1:6379, rediss://user:password@redis.internal:6380/2)';
  if (!URL.canParse(text)) return 'is not a URL' + example;
  const url = new URL(text);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'must start with redis:// or rediss:// (TLS)' + example;
  if (url.hostname === '') return 'has no host' + example;
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,5}$/.test(url.pathname)) return 'may have only a database number as its path (/0, /1, …)' + example;
  if (url.hash !== '') return 'may not have a #fragment' + example;
  return undefined;
}

/** Where the store is, for the log: never the credentials. */
export function describeStore(store: StoreConfig): string {
  if (store.type === 'memory') return 'memory';
  if (typeof store.url === 'string') {
    const url = new URL(store.url);
    return `redis ${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  }
  const nodes = (store.sentinels ?? store.cluster ?? []).map((n) => `${n.host}:${n.port}`).join(',');
  return store.sentinels ? `redis sentinel ${store.name} via ${nodes}` : `redis cluster ${nodes}`;
}
