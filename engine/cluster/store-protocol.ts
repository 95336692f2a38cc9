/**
 * The Store over cluster IPC. With `store: memory` and `serve --workers N`, the one
 * MemoryStore lives in the primary, so that an assertion id used at one worker is a replay
 * at every other, a revocation holds at all of them and a rate limit is counted once.
 *
 * - Worker side, `IpcStore`: each operation is a message with an id; the answer settles
 *   it. A call that gets no answer in time, or finds too many calls in flight, or no
 *   channel, is a 503 temporarily_unavailable, as a Redis outage is: refusing is safe,
 *   guessing is not.
 * - Primary side, `answerStoreCall`: runs the operation on the real store.
 */
import { isOAuthError, TemporarilyUnavailable } from '../errors.js';
import type { Store } from '../store/types.js';
import { isMessage, type StoreCall, type StoreFailure, type StoreReply } from './messages.js';

/** The operations of engine/store/types.ts that travel (close stays local: the primary closes its store itself). */
export const STORE_OPERATIONS = ['putIfAbsent', 'get', 'set', 'delete', 'increment'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** The primary answers from memory at once; past this it is stuck or gone. */
export const IPC_STORE_TIMEOUT_MS = 2000;
/** Calls in flight per worker: a bound on the pending map, far above what a worker's request rate needs. */
export const IPC_STORE_MAX_PENDING = 10_000;
/** Seconds a client should wait, as after a Redis outage. */
const RETRY_AFTER = '2';

/** The worker's end of the IPC channel (process, in a cluster worker). */
export interface IpcChannel {
  send(message: StoreCall, callback: (error: Error | null) => void): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const unavailable = (detail: string) => TemporarilyUnavailable('the server cannot reach its store; retry shortly', { headers: { 'retry-after': RETRY_AFTER }, detail: `primary store: ${detail}` });

export class IpcStore implements Store {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;

  constructor(private readonly channel: IpcChannel, options: { timeoutMs?: number; maxPending?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? IPC_STORE_TIMEOUT_MS;
    this.maxPending = options.maxPending ?? IPC_STORE_MAX_PENDING;
    channel.onMessage((message) => {
      if (isMessage<StoreReply>(message, 'sluice:store-reply')) this.settle(message);
    });
  }

  async putIfAbsent(key: string, ttlSeconds: number, value = '1'): Promise<boolean> {
    return (await this.call('putIfAbsent', [key, ttlSeconds, value])) === true;
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.call('get', [key]);
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.call('set', [key, value, ttlSeconds]);
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', [key]);
  }

  async increment(key: string, windowSeconds: number): Promise<number> {
    const count = await this.call('increment', [key, windowSeconds]);
    if (typeof count !== 'number') throw unavailable('increment answered without a count');
    return count;
  }

  /** Calls still waiting fail now (the worker is stopping; their requests are answered 503). */
  async close(): Promise<void> {
    for (const [id, call] of this.pending) this.fail(id, call, 'the worker is stopping');
  }

  private call(op: StoreOperation, args: unknown[]): Promise<unknown> {
    if (this.pending.size >= this.maxPending) return Promise.reject(unavailable(`${this.pending.size} calls in flight`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, this.pending.get(id), `no answer after ${this.timeoutMs} ms`), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.channel.send({ type: 'sluice:store', id, op, args }, (error) => {
          if (error) this.fail(id, this.pending.get(id), `send failed: ${error.message}`);
        });
      } catch (error) {
        // The channel is closed (the primary is gone): send throws rather than calling back.
        this.fail(id, this.pending.get(id), `send failed: ${(error as Error).message}`);
      }
    });
  }

  private settle(reply: StoreReply): void {
    const call = this.pending.get(reply.id);
    if (!call) return; // timed out already
    this.pending.delete(reply.id);
    clearTimeout(call.timer);
    if (reply.failure) call.reject(TemporarilyUnavailable(reply.failure.description, { headers: reply.failure.headers, detail: reply.failure.detail }));
    else call.resolve(reply.value);
  }

  private fail(id: number, call: Pending | undefined, detail: string): void {
    if (!call) return;
    this.pending.delete(id);
    clearTimeout(call.timer);
    call.reject(unavailable(detail));
  }
}

/** The primary's side: run one worker's call on the store, and say how it went. */
export async function answerStoreCall(store: Store, call: StoreCall): Promise<StoreReply> {
  try {
    if (!(STORE_OPERATIONS as readonly string[]).includes(call.op) || !Array.isArray(call.args)) throw new Error(`not a store operation: ${String(call.op)}`);
    const operation = store[call.op] as (...args: unknown[]) => Promise<unknown>;
    const value = await operation.apply(store, call.args);
    return value === undefined ? { type: 'sluice:store-reply', id: call.id } : { type: 'sluice:store-reply', id: call.id, value };
  } catch (error) {
    return { type: 'sluice:store-reply', id: call.id, failure: failureOf(error) };
  }
}

function failureOf(error: unknown): StoreFailure {
  if (isOAuthError(error)) return { description: error.message, headers: error.headers, ...(error.detail === undefined ? {} : { detail: error.detail }) };
  // A Store refuses with temporarily_unavailable only; anything else is a fault, told as an outage.
  return { description: 'the server cannot reach its store; retry shortly', headers: { 'retry-after': RETRY_AFTER }, detail: `primary store: ${(error as Error).message}` };
}

/** The worker's IPC channel: `process` as node:cluster connects it. */
export function processChannel(): IpcChannel {
  return {
    send(message, callback) {
      if (!process.send || !process.connected) throw new Error('no IPC channel to the primary');
      process.send(message, undefined, undefined, callback);
    },
    onMessage(listener) {
      process.on('message', listener);
    },
  };
}
