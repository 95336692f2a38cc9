/**
 * The memory store: entries expire, capacity is a bound, and a full store refuses
 * (503 temporarily_unavailable) instead of evicting an unexpired entry, which would let
 * a client assertion be replayed.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../engine/store/memory.js';

describe('MemoryStore', () => {
  it('putIfAbsent sets a key once while it lives, and again once it has expired', async () => {
    let clock = 1000;
    const store = new MemoryStore({ now: () => clock });
    expect(await store.putIfAbsent('assertion:a', 60)).toBe(true);
    expect(await store.putIfAbsent('assertion:a', 60)).toBe(false);
    clock += 59;
    expect(await store.putIfAbsent('assertion:a', 60)).toBe(false);
    clock += 2;
    expect(await store.putIfAbsent('assertion:a', 60)).toBe(true);
  });

  it('when full of unexpired entries, refuses new ones with 503 and keeps the old ones', async () => {
    let clock = 1000;
    const store = new MemoryStore({ capacity: 3, now: () => clock });
    for (const k of ['a', 'b', 'c']) expect(await store.putIfAbsent(k, 60)).toBe(true);
    await expect(store.putIfAbsent('d', 60)).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503, headers: { 'retry-after': expect.any(String) } });
    expect(await store.putIfAbsent('a', 60)).toBe(false); // not evicted: still a replay
    clock += 61;
    expect(await store.putIfAbsent('d', 60)).toBe(true); // expired entries make room
    expect(store.size).toBeLessThanOrEqual(3);
  });

  it('get, set, delete and fixed-window counters', async () => {
    let clock = 0;
    const store = new MemoryStore({ now: () => clock });
    await store.set('k', 'v', 10);
    expect(await store.get('k')).toBe('v');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    expect(await store.increment('c', 60)).toBe(1);
    expect(await store.increment('c', 60)).toBe(2);
    clock += 60;
    expect(await store.increment('c', 60)).toBe(1);
  });
});
