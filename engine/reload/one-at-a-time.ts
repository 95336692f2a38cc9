/**
 * Reloads never overlap: a reload asked for while one runs is queued, and any number of
 * asks during that run are one queued reload (a burst of SIGHUPs, an editor that writes a
 * file in three steps). The queued run starts after the current one, so it sees the files
 * as they are then, not as they were when the first signal came.
 */
export class OneAtATime<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  /** `task` must not reject: it reports its failures in what it resolves to. */
  constructor(private readonly task: () => Promise<T>) {}

  /** Resolves with the outcome of the run that covers this ask (the queued one, when a run is under way). */
  request(): Promise<T> {
    if (this.running === undefined) return this.start();
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<T> {
    const run = this.task().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
