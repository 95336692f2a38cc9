/**
 * HttpRequest's answer cache: successful answers only, for a fixed time, at most
 * MAX_ENTRIES of them (the oldest goes first). Concurrent misses for the same call share
 * one upstream exchange (single flight), so a burst of token requests for the same client
 * costs the directory one call, not one per request.
 */
import { createHash } from 'node:crypto';

/** Enough for every client of a large deployment; each entry is at most max_bytes. */
const MAX_ENTRIES = 1000;

export type CacheOutcome = 'hit' | 'joined' | 'called';

export class AnswerCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** The key of a call: a hash, so that the header values it includes are not kept in memory. */
  static key(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  }

  async get(key: string, call: () => Promise<T>): Promise<{ value: T; outcome: CacheOutcome }> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return { value: entry.value, outcome: 'hit' };
    if (entry) this.entries.delete(key);
    const pending = this.pending.get(key);
    if (pending) return { value: await pending, outcome: 'joined' };
    const started = call();
    this.pending.set(key, started);
    try {
      const value = await started;
      this.remember(key, value);
      return { value, outcome: 'called' };
    } finally {
      this.pending.delete(key);
    }
  }

  private remember(key: string, value: T): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const now = this.now();
      for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
      // Still full: drop the oldest (a Map iterates in insertion order).
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlSeconds });
  }
}
