/** A worker that keeps dying at start is restarted ever more slowly (bounded); one that served a long time is replaced at once. */
import { describe, expect, it } from 'vitest';
import { FIRST_RESTART_MS, MAX_RESTART_MS, RestartBackoff, STABLE_AFTER_MS } from '../../../engine/cluster/restart-backoff.js';

describe('RestartBackoff', () => {
  it('doubles for each quick death, up to the cap', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 12 }, () => backoff.next(10));
    expect(delays[0]).toBe(FIRST_RESTART_MS);
    expect(delays[1]).toBe(FIRST_RESTART_MS * 2);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays.at(-1)).toBe(MAX_RESTART_MS);
  });

  it('starts over after a worker that served long enough', () => {
    const backoff = new RestartBackoff();
    for (let i = 0; i < 5; i++) backoff.next(10);
    expect(backoff.next(STABLE_AFTER_MS)).toBe(FIRST_RESTART_MS);
  });
});
