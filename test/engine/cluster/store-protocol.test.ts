/**
 * The store over cluster IPC, its two ends joined by a channel that copies each message
 * through JSON as node:cluster's IPC does: a worker's IpcStore reaches the primary's
 * MemoryStore, a full store's refusal travels back as the same 503, and a primary that
 * does not answer (stuck, gone) or a flood of calls is a 503 temporarily_unavailable,
 * never a hang. The real IPC between processes is exercised by test/cli/serve-workers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isMessage, type StoreCall } from '../../../engine/cluster/messages.js';
import { answerStoreCall, IpcStore, type IpcChannel } from '../../../engine/cluster/store-protocol.js';
import { MemoryStore } from '../../../engine/store/memory.js';
import type { Store } from '../../../engine/store/types.js';

const copy = (message: unknown): unknown => JSON.parse(JSON.stringify(message));

/** A worker's channel to a primary holding `store`; `answer: false` is a primary that never answers. */
function channelTo(store: Store, options: { answer?: boolean; sendFails?: boolean } = {}): IpcChannel & { sent: number } {
  let listener: (message: unknown) => void = () => undefined;
  const channel = {
    sent: 0,
    send(message: StoreCall, callback: (error: Error | null) => void) {
      channel.sent++;
      if (options.sendFails) throw new Error('channel closed');
      callback(null);
      if (options.answer === false) return;
      const call = copy(message);
      if (!isMessage<StoreCall>(call, 'sluice:store')) throw new Error('not a store call');
      void answerStoreCall(store, call).then((reply) => listener(copy(reply)));
    },
    onMessage(l: (message: unknown) => void) {
      listener = l;
    },
  };
  return channel;
}

const unavailable = { code: 'temporarily_unavailable', status: 503, headers: { 'retry-after': expect.any(String) } };

describe('IpcStore ↔ answerStoreCall', () => {
  it('carries the five operations to the primary store: two workers see one state', async () => {
    const primary = new MemoryStore();
    const one = new IpcStore(channelTo(primary));
    const two = new IpcStore(channelTo(primary));
    expect(await one.putIfAbsent('assertion:x', 60)).toBe(true);
    expect(await two.putIfAbsent('assertion:x', 60)).toBe(false); // a replay at the other worker
    await one.set('revoked:j', '1', 60);
    expect(await two.get('revoked:j')).toBe('1');
    expect(await two.get('absent')).toBeUndefined();
    expect(await one.increment('rate:c', 60)).toBe(1);
    expect(await two.increment('rate:c', 60)).toBe(2);
    await two.delete('revoked:j');
    expect(await one.get('revoked:j')).toBeUndefined();
  });

  it("a full primary store's refusal reaches the worker as 503 with Retry-After", async () => {
    const primary = new MemoryStore({ capacity: 1 });
    const worker = new IpcStore(channelTo(primary));
    await worker.set('a', '1', 60);
    await expect(worker.putIfAbsent('b', 60)).rejects.toMatchObject(unavailable);
  });

  it('a primary that never answers: the call fails as temporarily_unavailable, and a late answer is ignored', async () => {
    const worker = new IpcStore(channelTo(new MemoryStore(), { answer: false }), { timeoutMs: 20 });
    await expect(worker.get('k')).rejects.toMatchObject(unavailable);
    await expect(worker.increment('k', 60)).rejects.toMatchObject(unavailable);
  });

  it('a closed channel (the primary is gone) is 503, not a throw of another kind', async () => {
    const worker = new IpcStore(channelTo(new MemoryStore(), { sendFails: true }));
    await expect(worker.putIfAbsent('k', 60)).rejects.toMatchObject(unavailable);
  });

  it('past the bound on calls in flight, a call is refused at once without being sent', async () => {
    const channel = channelTo(new MemoryStore(), { answer: false });
    const worker = new IpcStore(channel, { maxPending: 2, timeoutMs: 60_000 });
    const waiting = [worker.get('a'), worker.get('b')];
    await expect(worker.get('c')).rejects.toMatchObject(unavailable);
    expect(channel.sent).toBe(2);
    await worker.close(); // the worker stops: the waiting calls fail now
    for (const call of waiting) await expect(call).rejects.toMatchObject(unavailable);
  });

  it('the primary refuses what is not a store operation (a hostile or corrupt message), without throwing', async () => {
    const primary = new MemoryStore();
    for (const call of [
      { type: 'sluice:store', id: 1, op: 'close', args: [] },
      { type: 'sluice:store', id: 2, op: 'constructor', args: [] },
      { type: 'sluice:store', id: 3, op: 'get', args: 'k' },
    ]) {
      const reply = await answerStoreCall(primary, call as unknown as StoreCall);
      expect(reply).toMatchObject({ type: 'sluice:store-reply', id: call.id, failure: { headers: { 'retry-after': expect.any(String) } } });
    }
  });
});
