/**
 * What the primary and the workers of `sluice serve --workers N` say to each other over
 * the cluster IPC channel (a pipe between the two processes: nothing on a command line,
 * in the environment or in a log). Every message has a `type` under `sluice:`, so they
 * never collide with node:cluster's own.
 */
import type { ServerConfig } from '../config/types.js';
import type { StoreOperation } from './store-protocol.js';

/** worker → primary, once its listener is attached: send the start message now (one sent earlier could be lost). */
export interface HelloMessage {
  readonly type: 'sluice:hello';
}

/** primary → worker, once, in answer to hello: what to serve. */
export interface StartMessage {
  readonly type: 'sluice:start';
  /** The config file's path (relative paths in it resolve against its directory). */
  readonly file: string;
  /** The config text the primary checked: a worker (re)started later serves the same one. */
  readonly text: string;
  /** Command-line overrides of `server`; after a reload, every listener setting the cluster serves with. */
  readonly server: Partial<ServerConfig>;
  /** The `generated` keystores' private keys, PKCS#8 PEM by keystore id. */
  readonly generatedKeys: Readonly<Record<string, string>>;
  /** true: the store is the primary's (memory), reached over IPC; false: the worker connects to it (Redis). */
  readonly storeInPrimary: boolean;
}

/** worker → primary: it listens (the primary counts them before it says the cluster serves). */
export interface ListeningMessage {
  readonly type: 'sluice:listening';
}

/** worker → primary: one Store operation. */
export interface StoreCall {
  readonly type: 'sluice:store';
  readonly id: number;
  readonly op: StoreOperation;
  readonly args: readonly unknown[];
}

/**
 * A refused store operation (memory full). A Store only ever refuses with
 * temporarily_unavailable (engine/store/types.ts), so its parts are all that travel.
 */
export interface StoreFailure {
  readonly description: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly detail?: string;
}

/** primary → worker: the answer to the StoreCall with the same id. */
export interface StoreReply {
  readonly type: 'sluice:store-reply';
  readonly id: number;
  readonly value?: unknown;
  readonly failure?: StoreFailure;
}

/** primary → worker: reload to this config text (the primary checked it), and answer with `sluice:reloaded`. */
export interface ReloadMessage {
  readonly type: 'sluice:reload';
  readonly id: number;
  readonly text: string;
  readonly generatedKeys: Readonly<Record<string, string>>;
  readonly storeInPrimary: boolean;
}

/** worker → primary: how reload `id` went; `problems` as `check` prints them (FILE:LINE:COL), or a reason. */
export interface ReloadedMessage {
  readonly type: 'sluice:reloaded';
  readonly id: number;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** worker → primary: a scrape of /metrics; the primary gathers every worker's (metrics-protocol.ts). */
export interface MetricsRequest {
  readonly type: 'sluice:metrics';
  readonly id: number;
}

/** primary → worker: the cluster's exposition, or why there is none. */
export interface MetricsReply {
  readonly type: 'sluice:metrics-reply';
  readonly id: number;
  readonly contentType?: string;
  readonly text?: string;
  readonly error?: string;
}

export type ToWorker = StartMessage | StoreReply | ReloadMessage | MetricsReply;
export type ToPrimary = HelloMessage | ListeningMessage | StoreCall | ReloadedMessage | MetricsRequest;

export function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

