import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../../engine/client-auth/limiter.js';
import { OAuthError } from '../../../engine/errors.js';

describe('ConcurrencyLimiter', () => {
  it('runs at most `concurrency` tasks at once, queues the rest, refuses beyond the queue with 503', async () => {
    const limiter = new ConcurrencyLimiter(2, 1);
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const task = () => limiter.run(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
      return 'done';
    });
    const accepted = [task(), task(), task()]; // two run, one waits
    const refused = await task().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ code: 'temporarily_unavailable', status: 503, headers: { 'retry-after': '1' } });
    while (release.length < 2) await new Promise((r) => setTimeout(r, 1));
    release.splice(0).forEach((r) => r());
    while (release.length < 1) await new Promise((r) => setTimeout(r, 1));
    release.splice(0).forEach((r) => r());
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    await expect(limiter.run(async () => 'again')).resolves.toBe('again'); // slots were given back
  });

  it('gives the slot back when a task throws', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    await expect(limiter.run(async () => { throw new Error('x'); })).rejects.toThrow('x');
    await expect(limiter.run(async () => 1)).resolves.toBe(1);
  });
});
