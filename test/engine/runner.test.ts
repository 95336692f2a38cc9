import { describe, expect, it } from 'vitest';
import { compose } from '../../engine/runner.js';
import type { Flow } from '../../engine/flow.js';

const flow = {} as Flow;

describe('compose', () => {
  it('runs valves in order, around next()', async () => {
    const order: string[] = [];
    const run = compose([
      { name: 'A', run: async (_f, next) => { order.push('a1'); await next(); order.push('a2'); } },
      { name: 'B', run: async (_f, next) => { order.push('b'); await next(); } },
    ]);
    await run(flow);
    expect(order).toEqual(['a1', 'b', 'a2']);
  });

  it('stops when a valve does not call next()', async () => {
    const order: string[] = [];
    const run = compose([
      { name: 'A', run: async () => { order.push('a'); } },
      { name: 'B', run: async () => { order.push('b'); } },
    ]);
    await run(flow);
    expect(order).toEqual(['a']);
  });

  it('names the valve that calls next() twice', async () => {
    const run = compose([
      { name: 'Twice', run: async (_f, next) => { await next(); await next(); } },
      { name: 'B', run: async () => {} },
    ]);
    await expect(run(flow)).rejects.toThrow("valve 'Twice' called next() more than once");
  });

  it('propagates a valve error', async () => {
    const run = compose([{ name: 'Boom', run: async () => { throw new Error('boom'); } }]);
    await expect(run(flow)).rejects.toThrow('boom');
  });
});
