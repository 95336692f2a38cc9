/**
 * Bounds and shares out expensive work that strangers can ask for (scrypt verifications).
 *
 * Any caller can make the server derive a key: it only has to claim a client_id and send
 * a wrong secret. One global queue let 100 wrong secrets for one client make every other
 * hashed client wait ~20 s or get 503 (issue 9, item 3). Here:
 *  - waiting work is served round robin by source address, which a caller cannot change
 *    per request as it can the client_id it claims: a flood from one address delays
 *    others by about one derivation, whatever client_ids it names;
 *  - each source address may have a few derivations waiting or running, each claimed
 *    client_id a few waiting (so a flood aimed at one client from many addresses leaves
 *    room for the others), and all sources together a queue that two workers clear
 *    within the deadline;
 *  - nothing waits longer than the deadline: the answer is then 503 with Retry-After
 *    (SPEC: "503 when the server is overloaded"), never a wait past the client's patience.
 */
import { TemporarilyUnavailable } from '../errors.js';

export interface FairLimits {
  /** Derivations running at once (scrypt runs on libuv's pool of 4 threads, shared with signing). */
  readonly concurrency: number;
  /** Waiting derivations per claimed client_id. */
  readonly perClient: number;
  /** Waiting or running derivations per source address. */
  readonly perSource: number;
  /** Waiting derivations in all. */
  readonly total: number;
  /** Milliseconds a derivation may wait for its turn. */
  readonly deadlineMs: number;
}

/**
 * scrypt runs on libuv's threadpool (UV_THREADPOOL_SIZE, 4 threads by default), and so does
 * token signing (engine/keystores/algs.ts). Derivations get at most half of the default
 * pool: however many wrong secrets strangers send, two threads are left to sign the
 * tokens of clients that authenticated, one per core of a small machine.
 */
export const KDF_CONCURRENCY = 2;

export const DEFAULT_FAIR_LIMITS: FairLimits = { concurrency: KDF_CONCURRENCY, perClient: 8, perSource: 16, total: 32, deadlineMs: 2000 };

/** Who asks: the client_id claimed (not yet proven) and the caller's address. */
export interface WorkOwner {
  readonly client: string;
  readonly source: string;
}

interface Waiter {
  readonly client: string;
  readonly start: () => void;
  readonly timer: NodeJS.Timeout;
}

const busy = () => TemporarilyUnavailable('the server is busy; retry shortly', { headers: { 'retry-after': '1' } });

export class FairLimiter {
  private running = 0;
  private waiting = 0;
  /** Waiters per source address; Map order is the round-robin order. */
  private readonly queues = new Map<string, Waiter[]>();
  private readonly perSource = new Map<string, number>();
  private readonly perClient = new Map<string, number>();

  constructor(private readonly limits: FairLimits = DEFAULT_FAIR_LIMITS) {}

  async run<T>(owner: WorkOwner, task: () => Promise<T>): Promise<T> {
    const sourceCount = this.perSource.get(owner.source) ?? 0;
    if (sourceCount >= this.limits.perSource) throw busy();
    if (this.running >= this.limits.concurrency) {
      if ((this.perClient.get(owner.client) ?? 0) >= this.limits.perClient || this.waiting >= this.limits.total) throw busy();
      this.perSource.set(owner.source, sourceCount + 1);
      try {
        await this.wait(owner);
      } catch (error) {
        this.forget(owner.source);
        throw error;
      }
    } else {
      this.perSource.set(owner.source, sourceCount + 1);
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      this.forget(owner.source);
      this.next();
    }
  }

  /** Resolves when a slot passes to this waiter; rejects with 503 at the deadline. */
  private wait(owner: WorkOwner): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        client: owner.client,
        start: resolve,
        timer: setTimeout(() => {
          this.dequeue(owner.source, waiter);
          reject(busy());
        }, this.limits.deadlineMs),
      };
      const queue = this.queues.get(owner.source);
      if (queue) queue.push(waiter);
      else this.queues.set(owner.source, [waiter]);
      this.waiting += 1;
      this.perClient.set(owner.client, (this.perClient.get(owner.client) ?? 0) + 1);
    });
  }

  private dequeue(source: string, waiter: Waiter): void {
    const queue = this.queues.get(source);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(source);
    this.waiting -= 1;
    const left = (this.perClient.get(waiter.client) ?? 1) - 1;
    if (left > 0) this.perClient.set(waiter.client, left);
    else this.perClient.delete(waiter.client);
  }

  private forget(source: string): void {
    const left = (this.perSource.get(source) ?? 1) - 1;
    if (left > 0) this.perSource.set(source, left);
    else this.perSource.delete(source);
  }

  /**
   * A slot is free: it passes to the first waiter of the next source in turn, and that
   * source goes to the back of the rotation, so each busy source gets one slot per round.
   */
  private next(): void {
    const entry = this.queues.entries().next();
    if (entry.done) {
      this.running -= 1;
      return;
    }
    const [source, queue] = entry.value;
    const waiter = queue[0]!;
    this.dequeue(source, waiter);
    const rest = this.queues.get(source);
    if (rest) {
      this.queues.delete(source);
      this.queues.set(source, rest);
    }
    clearTimeout(waiter.timer);
    waiter.start();
  }
}
