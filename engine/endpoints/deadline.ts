/**
 * A request's deadline. It starts at server.request_timeout from arrival; a caller may
 * bring it forward with its own `exp` (a token request parameter, as OA4MP documents it),
 * never push it back. When it passes, the request is answered 503 and the log names the
 * valve still running (attack review M2); the work itself cannot be cancelled, so its late
 * outcome is observed and dropped by the endpoint wrapper.
 */
import { TemporarilyUnavailable, type OAuthError } from '../errors.js';

/** Whose deadline passed: the server's request_timeout, or the caller's `exp`. */
export type DeadlineOwner = 'server' | 'caller';

/** What `RequestDeadline.race` rejects with. Not an Error: it never leaves the endpoint wrapper. */
export class DeadlinePassed {
  constructor(readonly owner: DeadlineOwner) {}
}

/**
 * One timer and no promise of its own: the token path makes one per request, so the race
 * is a single promise settled by whichever comes first, the work or the timer.
 */
export class RequestDeadline {
  private timer: NodeJS.Timeout | undefined;
  /** Milliseconds since the epoch. */
  private at: number;
  private owner: DeadlineOwner = 'server';
  private onPassed: ((reason: DeadlinePassed) => void) | undefined;

  constructor(ms: number) {
    this.at = Date.now() + ms;
    this.arm();
  }

  /**
   * Settles as `work` does, or rejects with DeadlinePassed if the deadline comes first;
   * either way the timer is cleared. `work`'s late outcome is observed and dropped.
   */
  race(work: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.onPassed = reject;
      work.then(
        () => {
          this.clear();
          resolve();
        },
        (error: unknown) => {
          this.clear();
          reject(error);
        },
      );
    });
  }

  /** Bring the deadline forward to `at` (milliseconds since the epoch); a later time changes nothing. */
  bringForward(at: number, owner: DeadlineOwner): void {
    if (at >= this.at || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.at = at;
    this.owner = owner;
    this.arm();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = setTimeout(() => this.pass(), Math.max(0, this.at - Date.now()));
  }

  private pass(): void {
    this.timer = undefined;
    this.onPassed?.(new DeadlinePassed(this.owner));
  }
}

/**
 * The answer when a deadline passes. Both are 503 temporarily_unavailable: the request was
 * well-formed and only the server's speed failed it (a caller's exp already past on
 * arrival is its own mistake, invalid_request, judged elsewhere). A retry after the
 * server's deadline may well succeed; after the caller's own, only the caller knows
 * whether one is still wanted, so no Retry-After.
 */
export function deadlineAnswer(owner: DeadlineOwner): OAuthError {
  return owner === 'server'
    ? TemporarilyUnavailable('the request took too long; retry shortly', { headers: { 'retry-after': '1' }, detail: 'deadline passed (server.request_timeout)' })
    : TemporarilyUnavailable('the request could not be served before its exp', { detail: "deadline passed (the request's exp)" });
}
