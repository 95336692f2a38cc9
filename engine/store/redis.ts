/**
 * The Redis store: every instance on one Redis sees the same state. Each operation is one
 * command (or one Lua script) on one key, so it is atomic, and in a Cluster any key may
 * live on any node. The deployment's prefix is put before every key by ioredis
 * (`keyPrefix`), scripts' KEYS included.
 *
 * Cluster and hash tags: an operation that must touch two keys at once (none does today)
 * has to give them one hash tag, `{…}`, so that they live in one slot; see `sameSlot`.
 * The prefix may not contain braces (the schema refuses them), or it would be every key's
 * hash tag and put all keys on one node.
 *
 * A failing command (Redis down, paused, a failover in progress) is a 503
 * temporarily_unavailable with Retry-After, its cause in the log only; see
 * redis-client.ts for why failures are fast.
 */
import type { Logger } from 'pino';
import { TemporarilyUnavailable } from '../errors.js';
import { COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS, type RedisClient } from './redis-client.js';
import type { Store } from './types.js';
import { within } from '../within.js';

/** Seconds a client should wait: about one reconnect attempt (redis-client.ts backs off to 2 s). */
export const OUTAGE_RETRY_AFTER = '2';

/** Beyond ioredis' own timeouts, before a call gives up by itself. */
const GRACE_MS = 250;

/**
 * INCR and, on the counter's first increment, EXPIRE, as one step: a fixed window that
 * starts with its first request. Checking for "no TTL" rather than "count is 1" also
 * repairs a counter some other writer left without one. EXPIRE NX would do, but needs Redis 7.
 */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

type ScriptedClient = RedisClient & { sluiceIncrement(key: string, seconds: number): Promise<number> };

/** A hash tag: keys that contain the same `sameSlot(x)` land in one Cluster slot. */
export function sameSlot(tag: string): string {
  return `{${tag.replace(/[{}]/g, '_')}}`;
}

export class RedisStore implements Store {
  private client: ScriptedClient | undefined;
  /** Set while the first connection is being made; later ones ioredis makes by itself. */
  private firstReady: Promise<void> | undefined;
  private healthy = true;
  private closing = false;

  /**
   * `open` makes the client (and so connects): it is called on first use, never at load.
   * `where` says which Redis, for the log, without credentials.
   */
  constructor(private readonly open: () => RedisClient, readonly where: string, private readonly logger?: Logger) {}

  async putIfAbsent(key: string, ttlSeconds: number, value = '1'): Promise<boolean> {
    return (await this.run((c) => c.set(key, value, 'EX', seconds(ttlSeconds), 'NX'))) === 'OK';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run((c) => c.get(key))) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.run((c) => c.set(key, value, 'EX', seconds(ttlSeconds)));
  }

  async delete(key: string): Promise<void> {
    await this.run((c) => c.del(key));
  }

  async increment(key: string, windowSeconds: number): Promise<number> {
    return Number(await this.run((c) => c.sluiceIncrement(key, seconds(windowSeconds))));
  }

  /** One round trip; throws temporarily_unavailable when Redis does not answer. */
  async ping(): Promise<void> {
    await this.run((c) => c.ping());
  }

  /** Redis's maxmemory-policy, from INFO (which works where CONFIG is disabled). */
  async evictionPolicy(): Promise<string | undefined> {
    const info = await this.run((c) => c.info('memory'));
    return /^maxmemory_policy:(\S+)/m.exec(String(info))?.[1];
  }

  async close(): Promise<void> {
    this.closing = true;
    this.client?.disconnect();
  }

  /**
   * Every call ends within a bound of its own, besides ioredis' commandTimeout: a hang
   * anywhere in the client (a stuck reconnect, a failover) is still a 503, not a wait.
   */
  private async run<T>(command: (client: ScriptedClient) => Promise<T>): Promise<T> {
    try {
      const client = await this.connected();
      return await within(command(client), COMMAND_TIMEOUT_MS + GRACE_MS, 'no answer');
    } catch (error) {
      throw TemporarilyUnavailable('the server cannot reach its store; retry shortly', {
        headers: { 'retry-after': OUTAGE_RETRY_AFTER },
        detail: `${this.where}: ${(error as Error).message}`,
      });
    }
  }

  /**
   * The first use connects; calls wait for that first attempt (at most
   * CONNECT_TIMEOUT_MS) rather than fail. Afterwards ioredis reconnects by itself, and
   * calls fail at once while it is away (no offline queue).
   */
  private async connected(): Promise<ScriptedClient> {
    if (!this.client) {
      const client = this.open() as ScriptedClient;
      client.defineCommand('sluiceIncrement', { numberOfKeys: 1, lua: INCREMENT });
      // Without a listener an 'error' event would be printed by ioredis on every retry.
      client.on('error', (error: Error) => this.markDown(error.message));
      // A dropped connection is the outage, even when Redis is back before a reconnect fails.
      client.on('close', () => this.markDown('connection closed'));
      client.on('ready', () => this.markUp());
      this.client = client;
      // Settled by the first attempt: ready, or closed (refused, wrong password, no master).
      const ready = new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('close', () => reject(new Error('connection closed before it was ready')));
      });
      this.firstReady = within(ready, CONNECT_TIMEOUT_MS + GRACE_MS, 'not connected yet').finally(() => (this.firstReady = undefined));
    }
    if (this.firstReady) await this.firstReady;
    return this.client;
  }

  private markDown(reason: string): void {
    if (!this.healthy || this.closing) return;
    this.healthy = false;
    this.logger?.error({ event: 'store_unavailable', store: this.where, error: reason }, 'the store is unreachable: requests that need it get 503 until it is back');
  }

  private markUp(): void {
    if (this.healthy) return;
    this.healthy = true;
    this.logger?.info({ event: 'store_recovered', store: this.where }, 'the store is reachable again');
  }
}

/** Redis takes whole seconds of at least 1. */
function seconds(value: number): number {
  return Math.max(1, Math.ceil(value));
}
