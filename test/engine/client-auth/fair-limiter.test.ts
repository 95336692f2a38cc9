import { describe, expect, it } from 'vitest';
import { FairLimiter } from '../../../engine/client-auth/fair-limiter.js';

/** A task that runs until released; records its start. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { task: async () => { log.push(name); await done; return name; }, release: () => release() };
}
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('FairLimiter', () => {
  it('serves waiting clients round robin, not first come first served', async () => {
    const limiter = new FairLimiter({ concurrency: 1, perClient: 10, perSource: 100, total: 100 });
    const started: string[] = [];
    const gates = [gate(started, 'a0'), gate(started, 'a1'), gate(started, 'a2'), gate(started, 'a3'), gate(started, 'b0')];
    const runs = gates.map((g) => limiter.run({ client: g === gates[4] ? 'b' : 'a', source: 's' }, g.task));
    for (const g of gates) {
      await tick();
      g.release();
    }
    await Promise.all(runs);
    // b waits for one more of a's, not for all of them.
    expect(started).toEqual(['a0', 'a1', 'b0', 'a2', 'a3']);
  });

  it('refuses with 503 and Retry-After beyond a client\'s queue, and gives slots back when tasks throw', async () => {
    const limiter = new FairLimiter({ concurrency: 1, perClient: 1, perSource: 100, total: 100 });
    const started: string[] = [];
    const first = gate(started, 'first');
    const running = limiter.run({ client: 'a', source: 's' }, first.task);
    const queued = limiter.run({ client: 'a', source: 's' }, async () => 'queued');
    await expect(limiter.run({ client: 'a', source: 's' }, async () => 'refused')).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503, headers: { 'retry-after': '1' } });
    first.release();
    expect(await Promise.all([running, queued])).toEqual(['first', 'queued']);
    await expect(limiter.run({ client: 'a', source: 's' }, async () => { throw new Error('x'); })).rejects.toThrow('x');
    await expect(limiter.run({ client: 'a', source: 's' }, async () => 1)).resolves.toBe(1);
  });
});
