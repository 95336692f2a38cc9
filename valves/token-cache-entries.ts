/**
 * Where TokenCache keeps its answers: a bounded in-process LRU (the default), or the engine
 * store (Redis: every instance reuses the same token; the tokens then sit in Redis).
 */
import { chargeClientQuota, type ActiveTokenRecord, type ClientQuota, type EngineServices } from '../engine/index.js';

/** One cached answer. Times are seconds since the epoch. */
export interface CachedToken {
  /** Whose it is: checked again on every hit, whatever the key says. */
  readonly client_id: string;
  /** What tells the engine whether the token is still active (checked on every hit). */
  readonly active: ActiveTokenRecord;
  /** The token response as the pipe answered it, without `state`. */
  readonly response: Readonly<Record<string, unknown>>;
  /** When the token expires: expires_in on a hit is counted down to it. */
  readonly expires_at: number;
  /** Reused until then: the issue time plus reuse_until of the lifetime. */
  readonly reuse_until: number;
}

export interface TokenCacheEntries {
  get(key: string, now: number): Promise<CachedToken | undefined>;
  set(key: string, entry: CachedToken, now: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Least recently used first out; a Map iterates in insertion order, so a hit re-inserts. */
export class MemoryEntries implements TokenCacheEntries {
  private readonly entries = new Map<string, CachedToken>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, now: number): Promise<CachedToken | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.reuse_until <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  async set(key: string, entry: CachedToken): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}

/**
 * Entries a client may add to the store per period. Every request parameter is part of
 * the key, so without a bound one client sending a fresh junk parameter each time would
 * fill the store that revocations, replay checks and rate limits share (attack review).
 */
export const STORE_ENTRIES_PER_CLIENT = 100;

/** Entries in the engine store, each expiring when its reuse ends. */
export class StoreEntries implements TokenCacheEntries {
  constructor(private readonly store: EngineServices['store']) {}

  async get(key: string, now: number): Promise<CachedToken | undefined> {
    const text = await this.store.get(key);
    if (text === undefined) return undefined;
    const entry = parseEntry(text);
    return entry && entry.reuse_until > now ? entry : undefined;
  }

  /** Throws temporarily_unavailable past the client's share: the caller then does not cache. */
  async set(key: string, entry: CachedToken, now: number): Promise<void> {
    const ttl = Math.ceil(entry.reuse_until - now);
    // The period is the first entry's reuse time: a client's entries of one pipe live about as long.
    const quota: ClientQuota = { kind: 'token-cache', limit: STORE_ENTRIES_PER_CLIENT, windowSeconds: ttl, refusal: 'token cache full for this client', retryAfterSeconds: ttl };
    await chargeClientQuota(this.store, entry.client_id, quota);
    await this.store.set(key, JSON.stringify(entry), ttl);
  }

  async delete(key: string): Promise<void> {
    await this.store.delete(key);
  }
}

/** A stored entry read back; anything damaged or odd is a miss, never a 500. */
function parseEntry(text: string): CachedToken | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const entry = value as Record<string, unknown>;
  const { client_id: clientId, active, response, expires_at: expiresAt, reuse_until: reuseUntil } = entry;
  if (typeof clientId !== 'string' || typeof expiresAt !== 'number' || typeof reuseUntil !== 'number') return undefined;
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return undefined;
  // The record's own fields are the engine's to judge: recordIsActive finds a damaged one inactive.
  if (active === null || typeof active !== 'object') return undefined;
  return { client_id: clientId, active: active as ActiveTokenRecord, response: response as Record<string, unknown>, expires_at: expiresAt, reuse_until: reuseUntil };
}
