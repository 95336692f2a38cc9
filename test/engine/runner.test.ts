import { describe, expect, it } from 'vitest';
import { compose, StepFailure, type NamedStep } from '../../engine/runner.js';
import { InvalidScope } from '../../engine/errors.js';
import type { Flow } from '../../engine/flow.js';

const flow = {} as Flow;
type Step = NamedStep<Flow>;

/** Collects unhandled rejections while `body` runs (and a little after). */
async function unhandledDuring(body: () => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('compose', () => {
  it('runs steps in order, around next()', async () => {
    const order: string[] = [];
    const run = compose<Flow>([
      { name: 'A', run: async (_f, next) => { order.push('a1'); await next(); order.push('a2'); } },
      { name: 'B', run: async (_f, next) => { order.push('b'); await next(); } },
    ]);
    await run(flow);
    expect(order).toEqual(['a1', 'b', 'a2']);
  });

  it('stops when a step does not call next()', async () => {
    const order: string[] = [];
    const run = compose<Flow>([
      { name: 'A', run: async () => { order.push('a'); } },
      { name: 'B', run: async () => { order.push('b'); } },
    ]);
    await run(flow);
    expect(order).toEqual(['a']);
  });

  it('names the step that calls next() twice', async () => {
    const run = compose<Flow>([
      { name: 'Twice', run: async (_f, next) => { await next(); await next(); } },
      { name: 'B', run: async () => {} },
    ]);
    const error = await run(flow).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect(error).toMatchObject({ step: 'Twice' });
  });

  it('passes an OAuthError through unchanged', async () => {
    const run = compose<Flow>([{ name: 'Refuse', run: async () => { throw InvalidScope('no'); } }]);
    await expect(run(flow)).rejects.toMatchObject({ code: 'invalid_scope' });
  });

  it('wraps any other error with the name of the step that threw', async () => {
    const run = compose<Flow>([
      { name: 'Outer', run: async (_f, next) => { await next(); } },
      { name: 'Boom', run: () => { throw new TypeError('boom'); } }, // synchronous throw
    ]);
    const error = await run(flow).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect(error).toMatchObject({ step: 'Boom' });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  // Issue 9 item 14: `next()` without await made a later valve's OAuthError an unhandled
  // rejection, which took `sluice serve` down.
  it('a step that forgets to await next(): the rest still finishes, nothing is unhandled, the step is named', async () => {
    const order: string[] = [];
    const steps: Step[] = [
      { name: 'Careless', run: async (_f, next) => { void next(); } },
      { name: 'Slow', run: async (_f, next) => { await new Promise((r) => setTimeout(r, 5)); order.push('slow'); await next(); } },
      { name: 'Refuse', run: async () => { throw InvalidScope('no'); } },
    ];
    let error: unknown;
    const unhandled = await unhandledDuring(async () => {
      error = await compose(steps)(flow).catch((e: unknown) => e);
    });
    expect(unhandled).toEqual([]);
    expect(order).toEqual(['slow']); // the runner waited for the rest before answering
    expect(error).toBeInstanceOf(StepFailure);
    expect(error).toMatchObject({ step: 'Careless' });
  });

  it('a step that calls next() after returning gets an error, not a second run', async () => {
    let late: Promise<void> | undefined;
    let runs = 0;
    const run = compose<Flow>([
      { name: 'Late', run: async (_f, next) => { setTimeout(() => { late = next(); }, 1); } },
      { name: 'B', run: async () => { runs += 1; } },
    ]);
    const unhandled = await unhandledDuring(() => run(flow));
    expect(unhandled).toEqual([]);
    await expect(late).rejects.toBeInstanceOf(StepFailure);
    expect(runs).toBe(0);
  });

  it('a step that throws after calling next() without await: the rest is awaited before the error surfaces', async () => {
    let restDone = false;
    const run = compose<Flow>([
      { name: 'Thrower', run: async (_f, next) => { void next(); throw new Error('after next'); } },
      { name: 'Rest', run: async () => { await new Promise((r) => setTimeout(r, 5)); restDone = true; throw InvalidScope('late'); } },
    ]);
    const unhandled = await unhandledDuring(async () => {
      await expect(run(flow)).rejects.toMatchObject({ step: 'Thrower' });
      expect(restDone).toBe(true);
    });
    expect(unhandled).toEqual([]);
  });
});

describe('compose, misuse that is not awaited', () => {
  it('next() called twice without await: the step is named, nothing is unhandled', async () => {
    const run = compose<Flow>([
      { name: 'Twice', run: async (_f, next) => { await next(); void next(); } },
      { name: 'B', run: async () => {} },
    ]);
    let error: unknown;
    const unhandled = await unhandledDuring(async () => { error = await run(flow).catch((e: unknown) => e); });
    expect(unhandled).toEqual([]);
    expect(error).toMatchObject({ step: 'Twice' });
  });
});

describe('compose, conditions and step timing', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('passes over a step whose condition does not hold, and runs it when it does', async () => {
    const order: string[] = [];
    const steps = (on: boolean): Step[] => [
      { name: 'A', run: async (_f, next) => { order.push('a'); await next(); } },
      { name: 'B', when: () => on, run: async (_f, next) => { order.push('b'); await next(); } },
      { name: 'C', run: async () => { order.push('c'); } },
    ];
    await compose<Flow>(steps(false))(flow);
    expect(order).toEqual(['a', 'c']);
    await compose<Flow>(steps(true))(flow);
    expect(order).toEqual(['a', 'c', 'a', 'b', 'c']);
  });

  it('a condition that throws is the failure of its step, by name', async () => {
    const run = compose<Flow>([{ name: 'Guarded', when: () => { throw new TypeError('bad path'); }, run: async () => undefined }]);
    const error = await run(flow).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).step).toBe('Guarded');
  });

  it("observes each step's own time, without the steps after it, failed ones too; not a step passed over", async () => {
    const seen: Record<string, number[]> = { A: [], B: [], C: [] };
    const run = compose<Flow>([
      { name: 'A', observe: (s) => seen.A!.push(s), run: async (_f, next) => { await next(); } },
      { name: 'B', observe: (s) => seen.B!.push(s), when: () => false, run: async () => undefined },
      { name: 'C', observe: (s) => seen.C!.push(s), run: async () => { await wait(30); throw InvalidScope('no'); } },
    ]);
    await expect(run(flow)).rejects.toMatchObject({ code: 'invalid_scope' });
    expect(seen.B).toEqual([]);
    expect(seen.C).toHaveLength(1);
    expect(seen.C![0]).toBeGreaterThanOrEqual(0.02);
    expect(seen.A).toHaveLength(1);
    // A's own time excludes C's wait.
    expect(seen.A![0]).toBeLessThan(seen.C![0]!);
  });
});
