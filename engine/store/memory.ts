/**
 * The in-memory store: one process, bounded, entries expire. When it is full of unexpired
 * entries it refuses new ones (503 temporarily_unavailable with Retry-After) rather than
 * evicting: evicting an unexpired assertion id would let that assertion be replayed.
 * Each entry lives at most as long as what it guards (an assertion's remaining lifetime,
 * five minutes by default), so a full store empties by itself.
 */
import { TemporarilyUnavailable } from '../errors.js';
import type { Store } from './types.js';

interface Entry {
  value: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /** Most entries held at once. */
  readonly capacity?: number;
  /** Seconds since the epoch (a seam for tests). */
  readonly now?: () => number;
}

export const DEFAULT_STORE_CAPACITY = 100_000;

const full = () => TemporarilyUnavailable('the server is busy; retry shortly', { headers: { 'retry-after': '5' }, detail: 'memory store full' });

export class MemoryStore implements Store {
  private readonly entries = new Map<string, Entry>();
  private readonly capacity: number;
  private readonly now: () => number;
  /** When a sweep last ran: a full store is swept at most once a second, not per write. */
  private lastSweep = -Infinity;

  constructor(options: MemoryStoreOptions = {}) {
    this.capacity = options.capacity ?? DEFAULT_STORE_CAPACITY;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  get size(): number {
    return this.entries.size;
  }

  async putIfAbsent(key: string, ttlSeconds: number, value = '1'): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    this.write(key, value, ttlSeconds);
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.write(key, value, ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async increment(key: string, windowSeconds: number): Promise<number> {
    const entry = this.live(key);
    if (!entry) {
      this.write(key, '1', windowSeconds);
      return 1;
    }
    const count = Number(entry.value) + 1;
    entry.value = String(count);
    return count;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: string, ttlSeconds: number): void {
    if (!this.entries.has(key) && this.entries.size >= this.capacity) {
      this.sweep();
      if (this.entries.size >= this.capacity) throw full();
    }
    this.entries.set(key, { value, expiresAt: this.now() + Math.max(ttlSeconds, 1) });
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 1) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
