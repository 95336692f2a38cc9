import { describe, expect, it } from 'vitest';
import { FairLimiter, type FairLimits } from '../../../engine/client-auth/fair-limiter.js';

/** A task that runs until released; records its start. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { task: async () => { log.push(name); await done; return name; }, release: () => release() };
}
const tick = () => new Promise((r) => setTimeout(r, 1));
const limits = (over: Partial<FairLimits> = {}): FairLimits => ({ concurrency: 1, perClient: 100, perSource: 100, total: 100, deadlineMs: 60_000, ...over });

describe('FairLimiter', () => {
  // Attack review H1: rotating by the claimed client_id let a caller that names a new
  // client_id per request get a queue per request, and delay everyone by the whole flood.
  it('serves waiting sources round robin, whatever client_ids they claim', async () => {
    const limiter = new FairLimiter(limits());
    const started: string[] = [];
    const flood = Array.from({ length: 5 }, (_, i) => gate(started, `a${i}`));
    const victim = gate(started, 'b');
    const runs = flood.map((g, i) => limiter.run({ client: `random-${i}`, source: 'attacker' }, g.task));
    runs.push(limiter.run({ client: 'victim', source: 'elsewhere' }, victim.task));
    for (const g of [...flood.slice(0, 2), victim, ...flood.slice(2)]) {
      await tick();
      g.release();
    }
    await Promise.all(runs);
    // The victim waits for one more of the attacker's, not for all of them.
    expect(started).toEqual(['a0', 'a1', 'b', 'a2', 'a3', 'a4']);
  });

  it('bounds a source, a claimed client and the whole queue with 503 and Retry-After', async () => {
    const started: string[] = [];
    const blocker = gate(started, 'blocker');
    const limiter = new FairLimiter(limits({ perSource: 2, perClient: 1, total: 2 }));
    const running = limiter.run({ client: 'x', source: 's0' }, blocker.task);
    const queued = limiter.run({ client: 'a', source: 's1' }, async () => 'queued');
    const refusedClient = limiter.run({ client: 'a', source: 's2' }, async () => 'no');
    const second = limiter.run({ client: 'b', source: 's1' }, async () => 'second');
    const refusedSource = limiter.run({ client: 'c', source: 's1' }, async () => 'no');
    const refusedTotal = limiter.run({ client: 'd', source: 's3' }, async () => 'no');
    for (const refused of [refusedClient, refusedSource, refusedTotal]) {
      await expect(refused).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503, headers: { 'retry-after': '1' } });
    }
    blocker.release();
    expect(await Promise.all([running, queued, second])).toEqual(['blocker', 'queued', 'second']);
  });

  it('answers 503 to a waiter whose turn does not come before the deadline, and gives slots back', async () => {
    const started: string[] = [];
    const blocker = gate(started, 'blocker');
    const limiter = new FairLimiter(limits({ deadlineMs: 20 }));
    const running = limiter.run({ client: 'x', source: 's' }, blocker.task);
    await expect(limiter.run({ client: 'y', source: 't' }, async () => 'late')).rejects.toMatchObject({ code: 'temporarily_unavailable' });
    blocker.release();
    await running;
    await expect(limiter.run({ client: 'y', source: 't' }, async () => { throw new Error('x'); })).rejects.toThrow('x');
    await expect(limiter.run({ client: 'y', source: 't' }, async () => 1)).resolves.toBe(1);
  });
});
