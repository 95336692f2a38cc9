/**
 * The step runners. compose(): koa-compose for valves, with `next`. Each
 * step gets the context and `next`, which runs the rest; a step stops the chain by
 * throwing an OAuthError, or by returning without calling next() (e.g. a cache that
 * already has the answer).
 *
 * Plugin bugs must not take the process down or leak past the request: whatever a step
 * does with `next` (forgets to await it, calls it twice, calls it after returning), the
 * runner waits for the rest of the chain to settle, so no rejection goes unhandled, and
 * answers with an error that names the step. sequence(): the endpoints' own steps, which
 * always go on, in a plain loop.
 */
import { performance } from 'node:perf_hooks';
import { isOAuthError } from './errors.js';

export interface NamedStep<C> {
  readonly name: string;
  readonly run: (context: C, next: () => Promise<void>) => Promise<void> | void;
  /** Runs only when this holds (a valve's exec_if); otherwise the chain goes on past it. */
  readonly when?: (context: C) => unknown;
  /**
   * Told the step's own time in seconds (its start to its end, less the time the steps
   * after it took), whether it succeeded or not; not called for a step passed over.
   */
  readonly observe?: (seconds: number) => void;
}

/**
 * A step misbehaved (a bug, not a refused request): answered as server_error, with the
 * step's name in the log. `cause` is what it threw, if anything.
 */
export class StepFailure extends Error {
  readonly step: string;

  constructor(step: string, message: string, cause?: unknown) {
    super(`${step}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'StepFailure';
    this.step = step;
  }
}

/** What the runner tells its owner as a chain runs (for logs and deadlines). */
export interface StepHooks<C> {
  /** A step starts. */
  onEnter?(context: C, step: string): void;
  /** A step returned without calling next(): it ended the chain. */
  onStop?(context: C, step: string): void;
}

/**
 * One step's call of next(), as the runner keeps it: the rest of the chain, and whether it
 * has settled, as seen by a reaction registered when next() was called (so before the
 * step's own `await next()` resumes). That reaction also observes a rejection the step
 * never awaits, which would otherwise end the process as unhandled.
 */
interface RestOfChain {
  readonly running: Promise<void>;
  settled: boolean;
  /** The rest's own time, in milliseconds; measured only for an observed step. */
  downstream: number;
}

export function compose<C>(steps: ReadonlyArray<NamedStep<C>>, hooks: StepHooks<C> = {}): (context: C) => Promise<void> {
  /**
   * Runs step `first` (or the first after it whose condition holds) and, through its
   * next(), the rest.
   */
  async function dispatch(context: C, first: number): Promise<void> {
    let i = first;
    while (i < steps.length && steps[i]!.when && !holds(steps[i]!, context)) i++;
    const step = steps[i];
    if (!step) return;
    hooks.onEnter?.(context, step.name);
    const { observe } = step;
    const started = observe ? performance.now() : 0;
    let rest: RestOfChain | undefined;
    let returned = false;
    let misuse: StepFailure | undefined;
    const next = (): Promise<void> => {
      if (returned) return observed(new StepFailure(step.name, 'called next() after it returned (missing await?)'));
      if (rest) return observed((misuse = new StepFailure(step.name, 'called next() more than once')));
      const entered = observe ? performance.now() : 0;
      const running = dispatch(context, i + 1);
      const chain: RestOfChain = { running, settled: false, downstream: 0 };
      const settle = (): void => {
        chain.settled = true;
        if (observe) chain.downstream = performance.now() - entered;
      };
      running.then(settle, settle);
      rest = chain;
      return running;
    };

    let thrown: { error: unknown } | undefined;
    try {
      // A step that finished synchronously costs no extra turn of the microtask queue.
      const result = step.run(context, next);
      if (result !== undefined) await result;
    } catch (error) {
      thrown = { error };
    }
    returned = true;
    const wasSettled = rest === undefined || rest.settled;
    // The step returned while the rest was still running: wait for it (its failure is the cause).
    const cause: unknown = wasSettled ? undefined : await rest!.running.then(ignore, (error: unknown) => error);
    if (observe) observe(Math.max(0, performance.now() - started - (rest?.downstream ?? 0)) / 1000);
    if (thrown) throw attribute(step.name, thrown.error);
    if (misuse) throw misuse;
    if (!rest) hooks.onStop?.(context, step.name);
    if (!wasSettled) {
      // The step never saw the rest's result, so the request cannot be answered as if the
      // chain had run normally.
      throw new StepFailure(step.name, 'returned before the rest of the pipe finished (missing await on next()?)', cause);
    }
  }

  return function runSteps(context: C): Promise<void> {
    return dispatch(context, 0);
  };
}

function ignore(): undefined {
  return undefined;
}

/** Whether a step's condition holds; a condition that throws is that step's failure. */
function holds<C>(step: NamedStep<C>, context: C): boolean {
  try {
    return Boolean(step.when!(context));
  } catch (error) {
    throw attribute(step.name, error);
  }
}

/**
 * A rejection for a step that misused next(), already observed: if the step does not
 * await it, it must not become an unhandled rejection (which ends the process).
 */
function observed(failure: StepFailure): Promise<never> {
  const rejection = Promise.reject(failure);
  rejection.catch(() => undefined);
  return rejection;
}

/** An OAuthError is a decision and passes as is; anything else is a bug of this step. */
function attribute(step: string, error: unknown): unknown {
  if (isOAuthError(error) || error instanceof StepFailure) return error;
  return new StepFailure(step, `threw ${error instanceof Error ? error.name : typeof error}: ${error instanceof Error ? error.message : String(error)}`, error);
}

/**
 * An endpoint's own steps (engine code, not plugins): each does its part and the next one
 * runs, so there is no `next` to misuse and no chain to watch, just a loop. A step that
 * throws anything but a decision is attributed to it, as compose() does for valves.
 */
export interface SequenceStep<C> {
  readonly name: string;
  readonly run: (context: C) => void | Promise<void>;
}

/** A named step of an endpoint: it does its part and the next one runs. */
export function step<C>(name: string, run: (context: C) => void | Promise<void>): SequenceStep<C> {
  return { name, run };
}

export function sequence<C>(steps: ReadonlyArray<SequenceStep<C>>): (context: C) => Promise<void> {
  return async function runSequence(context: C): Promise<void> {
    for (const step of steps) {
      try {
        const result = step.run(context);
        if (result !== undefined) await result;
      } catch (error) {
        throw attribute(step.name, error);
      }
    }
  };
}
