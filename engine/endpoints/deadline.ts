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
 * How often the server's deadlines are checked. server.request_timeout is whole seconds
 * (at least 1), so passing up to this late is well within what it promises.
 */
const SWEEP_MS = 50;

/**
 * The server's deadlines of every request in flight, checked by one timer: a request costs
 * a Set entry instead of a timer of its own (issue 14). The timer runs only while there is
 * a request to watch.
 */
const watched = new Set<RequestDeadline>();
let sweeper: NodeJS.Timeout | undefined;

function watch(deadline: RequestDeadline): void {
  watched.add(deadline);
  sweeper ??= setInterval(sweep, SWEEP_MS);
}

function unwatch(deadline: RequestDeadline): void {
  if (!watched.delete(deadline) || watched.size > 0) return;
  clearInterval(sweeper);
  sweeper = undefined;
}

function sweep(): void {
  const now = Date.now();
  for (const deadline of watched) deadline.passIfDue(now);
}

/**
 * A request's deadline, with no promise of its own: the race is a single promise settled
 * by whichever comes first, the work or the deadline. The server's deadline is checked with
 * every other request's (above); a caller's `exp`, which asks for an answer by then or none,
 * gets a timer of its own, to the millisecond.
 */
export class RequestDeadline {
  private timer: NodeJS.Timeout | undefined;
  /** Milliseconds since the epoch. */
  private at: number;
  private owner: DeadlineOwner = 'server';
  private settled = false;
  private onPassed: ((reason: DeadlinePassed) => void) | undefined;

  constructor(ms: number) {
    this.at = Date.now() + ms;
    watch(this);
  }

  /**
   * Settles as `work` does, or rejects with DeadlinePassed if the deadline comes first;
   * either way the deadline is cleared. `work`'s late outcome is observed and dropped.
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
    if (at >= this.at || this.settled) return;
    unwatch(this);
    clearTimeout(this.timer);
    this.at = at;
    this.owner = owner;
    this.timer = setTimeout(() => this.pass(), Math.max(0, at - Date.now()));
  }

  clear(): void {
    this.settled = true;
    unwatch(this);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The sweep's check: passes when `now` (milliseconds since the epoch) has reached the deadline. */
  passIfDue(now: number): void {
    if (now >= this.at) this.pass();
  }

  private pass(): void {
    if (this.settled) return;
    this.clear();
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
