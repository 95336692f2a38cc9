/**
 * Bounds and shares out expensive work that strangers can ask for (scrypt verifications).
 *
 * Any caller can make the server derive a key: it only has to claim a client_id and send
 * a wrong secret. One global queue let 100 wrong secrets for one client make every other
 * hashed client wait ~20 s or get 503 (issue 9, item 3). Here the waiting work is queued
 * per client_id and served round robin, so a flood against one client id delays another
 * client by at most one derivation per busy client; and each client id and each source
 * address may have only a few derivations waiting, so the flood itself is refused early
 * (503 with Retry-After, SPEC: "503 when the server is overloaded") instead of queueing.
 */
import { TemporarilyUnavailable } from '../errors.js';

export interface FairLimits {
  /** Derivations running at once (scrypt runs on libuv's pool of 4 threads). */
  readonly concurrency: number;
  /** Waiting derivations per claimed client_id. */
  readonly perClient: number;
  /** Waiting or running derivations per source address. */
  readonly perSource: number;
  /** Waiting derivations in all. */
  readonly total: number;
}

export const DEFAULT_FAIR_LIMITS: FairLimits = { concurrency: 2, perClient: 8, perSource: 16, total: 256 };

/** Who asks: the client_id claimed (not yet proven) and the caller's address. */
export interface WorkOwner {
  readonly client: string;
  readonly source: string;
}

const busy = () => TemporarilyUnavailable('the server is busy; retry shortly', { headers: { 'retry-after': '1' } });

export class FairLimiter {
  private running = 0;
  private waiting = 0;
  /** Waiting starts per client; Map order is the round-robin order. */
  private readonly queues = new Map<string, Array<() => void>>();
  private readonly perSource = new Map<string, number>();

  constructor(private readonly limits: FairLimits = DEFAULT_FAIR_LIMITS) {}

  async run<T>(owner: WorkOwner, task: () => Promise<T>): Promise<T> {
    const sourceCount = this.perSource.get(owner.source) ?? 0;
    if (sourceCount >= this.limits.perSource) throw busy();
    if (this.running >= this.limits.concurrency) {
      const queue = this.queues.get(owner.client);
      if ((queue?.length ?? 0) >= this.limits.perClient || this.waiting >= this.limits.total) throw busy();
      this.perSource.set(owner.source, sourceCount + 1);
      await new Promise<void>((start) => this.enqueue(owner.client, start));
    } else {
      this.perSource.set(owner.source, sourceCount + 1);
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      this.release(owner.source);
    }
  }

  private enqueue(client: string, start: () => void): void {
    const queue = this.queues.get(client);
    if (queue) queue.push(start);
    else this.queues.set(client, [start]);
    this.waiting += 1;
  }

  private release(source: string): void {
    const left = (this.perSource.get(source) ?? 1) - 1;
    if (left > 0) this.perSource.set(source, left);
    else this.perSource.delete(source);
    // The slot passes to the first waiter of the next client in turn; that client goes to
    // the back of the rotation, so each busy client gets one slot per round.
    const next = this.queues.entries().next();
    if (next.done) {
      this.running -= 1;
      return;
    }
    const [client, queue] = next.value;
    const start = queue.shift()!;
    this.queues.delete(client);
    if (queue.length > 0) this.queues.set(client, queue);
    this.waiting -= 1;
    start();
  }
}
