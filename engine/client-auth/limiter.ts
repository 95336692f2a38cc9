/**
 * Bounds how many expensive operations (scrypt verifications) run at once. Unauthenticated
 * callers can ask for them, so without a bound a burst of bad logins fills libuv's thread
 * pool and delays everyone. Beyond the queue the answer is 503 with Retry-After (SPEC:
 * "503 when the server is overloaded"), never an unbounded wait.
 */
import { TemporarilyUnavailable } from '../errors.js';

export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queueLimit) {
        throw TemporarilyUnavailable('the server is busy; retry shortly', { headers: { 'retry-after': '1' } });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active -= 1;
    }
  }
}
