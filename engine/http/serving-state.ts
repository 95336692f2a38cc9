/**
 * What the server itself is doing, apart from the config it serves: draining for a
 * shutdown, or overloaded. The request path reads one field (`refusing`); the readiness
 * probe reads why. One per HTTP server, found from the fastify instance.
 */
import type { FastifyInstance } from 'fastify';
import { OAuthError, TemporarilyUnavailable } from '../errors.js';
import type { OverloadCause } from './overload.js';

export class ServingState {
  /** Set when SIGTERM/SIGINT starts the drain; never cleared (the process is ending). */
  private drainingNow = false;
  private overloadCause: OverloadCause | undefined;
  /** What a refused request is answered; undefined while requests are served. */
  refusing: OAuthError | undefined;

  constructor(private readonly retryAfter: string) {}

  get draining(): boolean {
    return this.drainingNow;
  }

  get overload(): OverloadCause | undefined {
    return this.overloadCause;
  }

  startDraining(): void {
    this.drainingNow = true;
    this.update();
  }

  setOverload(cause: OverloadCause | undefined): void {
    this.overloadCause = cause;
    this.update();
  }

  private update(): void {
    // RFC 6749 section 5.2 temporarily_unavailable. A draining server tells the client to
    // come back on a new connection (which reaches another instance), not to wait.
    if (this.drainingNow) this.refusing = TemporarilyUnavailable('the server is shutting down; retry on a new connection');
    else if (this.overloadCause) this.refusing = TemporarilyUnavailable('the server is overloaded; retry later', { headers: { 'retry-after': this.retryAfter } });
    else this.refusing = undefined;
  }
}

const states = new WeakMap<FastifyInstance, ServingState>();

export function attachServingState(app: FastifyInstance, state: ServingState): void {
  states.set(app, state);
}

/** The state of a server made by createServer (engine/http/server.ts). */
export function servingStateOf(app: FastifyInstance): ServingState {
  const state = states.get(app);
  if (!state) throw new Error('not a Sluice server: no serving state');
  return state;
}
