/**
 * How long to wait before replacing a worker that died: a worker that crashes at once
 * (a plugin that throws at start, a store that refuses it) must not be restarted in a
 * tight loop, while one that ran a good while before it died is replaced at once.
 */
export const FIRST_RESTART_MS = 100;
export const MAX_RESTART_MS = 30_000;
/** A worker that served this long before it died starts the back-off over. */
export const STABLE_AFTER_MS = 60_000;

export class RestartBackoff {
  private crashes = 0;

  /** The delay before the next start, given how long the dead worker lived. */
  next(livedMs: number): number {
    if (livedMs >= STABLE_AFTER_MS) this.crashes = 0;
    const delay = Math.min(MAX_RESTART_MS, FIRST_RESTART_MS * 2 ** this.crashes);
    this.crashes = Math.min(this.crashes + 1, 20);
    return delay;
  }
}
