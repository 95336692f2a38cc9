/**
 * RequestDeadline (engine/endpoints/deadline.ts): the server's deadline is checked by one
 * timer shared by every request in flight, a caller's exp by a timer of its own; a settled
 * request leaves no timer behind.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlinePassed, RequestDeadline } from '../../engine/endpoints/deadline.js';

const never = () => new Promise<void>(() => undefined);

async function outcome(race: Promise<void>): Promise<unknown> {
  return race.then(() => 'settled', (error: unknown) => error);
}

describe('RequestDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("passes the server's deadline, for every request watched, by one shared timer", async () => {
    const deadlines = [new RequestDeadline(1000), new RequestDeadline(1000), new RequestDeadline(2000)];
    expect(vi.getTimerCount()).toBe(1);
    const races = deadlines.map((d) => outcome(d.race(never())));
    await vi.advanceTimersByTimeAsync(999);
    await vi.advanceTimersByTimeAsync(60);
    const [first, second] = await Promise.all(races.slice(0, 2));
    expect(first).toBeInstanceOf(DeadlinePassed);
    expect((first as DeadlinePassed).owner).toBe('server');
    expect(second).toBeInstanceOf(DeadlinePassed);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await races[2]).toBeInstanceOf(DeadlinePassed);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settles with the work when it comes first, and leaves no timer behind', async () => {
    const deadline = new RequestDeadline(1000);
    expect(await outcome(deadline.race(Promise.resolve()))).toBe('settled');
    expect(vi.getTimerCount()).toBe(0);
    const failing = new RequestDeadline(1000);
    const error = new Error('valve failed');
    expect(await outcome(failing.race(Promise.reject(error)))).toBe(error);
    await vi.advanceTimersByTimeAsync(5000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes a caller's earlier deadline on time, with a timer of its own; a later one changes nothing", async () => {
    const deadline = new RequestDeadline(10_000);
    deadline.bringForward(Date.now() + 20_000, 'caller');
    deadline.bringForward(Date.now() + 300, 'caller');
    const race = outcome(deadline.race(never()));
    await vi.advanceTimersByTimeAsync(299);
    let settled: unknown;
    void race.then((value) => (settled = value));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await race).toBeInstanceOf(DeadlinePassed);
    expect((await race as DeadlinePassed).owner).toBe('caller');
    expect(vi.getTimerCount()).toBe(0);
  });
});
