/**
 * Builds flows. What only the engine may decide (that the client is authenticated, that
 * the grant's token was verified, the credentials presented, where the caller is) lives
 * in #private fields of the flow, out of reach of valves and templates: a plugin cannot
 * mark a flow proven by assigning a property.
 */
import type { Logger } from 'pino';
import type { ClientAuthenticator, ClientCredentialsConfig, VerifyContext } from './client-auth/authenticate.js';
import { authenticationFailed } from './client-auth/failure.js';
import type { PresentedCredentials } from './client-auth/methods/index.js';
import type { OAuthError } from './errors.js';
import type { Client, ClientAuthentication, Flow, TokenRequest, VerifiedAssertion } from './flow.js';

interface EngineOnly {
  readonly credentials: PresentedCredentials;
  /** The caller's address: the KDF limiter's fairness key. */
  readonly source: string;
  /** The grant's token (assertion, subject_token), verified only by verifyFlowAssertion. */
  readonly grantToken: string | undefined;
  /**
   * What was wrong with the grant's parameters, told only once the caller is proven:
   * before that, strangers learn nothing about the request (issue 9, item 2).
   */
  readonly deferred: OAuthError | undefined;
  /** What the endpoint does once the caller is proven (the caller's deadline); may throw. */
  readonly onProven: ProvenListener | undefined;
  authentication?: ClientAuthentication;
  assertion?: VerifiedAssertion;
}

/** Told once the flow's caller is proven; may throw (the caller's deadline has passed). */
export interface ProvenListener {
  proven(): void;
}

export interface FlowInit {
  id: string;
  request: TokenRequest;
  client: Client;
  credentials: PresentedCredentials;
  source: string;
  grantToken?: string | undefined;
  deferred?: OAuthError | undefined;
  /** An object rather than a closure: the endpoint's context, made once per request anyway. */
  onProven?: ProvenListener | undefined;
  /** The request's log; its bound logger is made only if a valve asks for flow.log. */
  log: { readonly logger: Logger };
}

/** Where a flow's pipe is: the valve running now, and the one that ended the pipe, if any. */
interface PipeProgress {
  running?: string;
  stoppedBy?: string;
}

/**
 * A flow as the engine makes it. What only the engine may decide is in #private fields:
 * JavaScript refuses to read or write them from outside this class, so a valve cannot
 * forge them, and, unlike a WeakMap entry per request, they cost the garbage collector
 * nothing extra.
 */
class EngineFlow implements Flow {
  readonly id: string;
  readonly request: TokenRequest;
  readonly client: Client;
  readonly grant: Flow['grant'];
  readonly state: Record<string, unknown> = {};
  readonly claims: Record<string, unknown> = {};
  readonly issued: Flow['issued'] = {};
  response: Record<string, unknown> | undefined = undefined;
  readonly #engine: EngineOnly;
  readonly #log: { readonly logger: Logger };
  readonly #progress: PipeProgress = {};

  constructor(init: FlowInit) {
    this.id = init.id;
    this.request = init.request;
    this.client = init.client;
    this.grant = { type: init.request.grant_type, scope: [], audience: [] };
    this.#engine = { credentials: init.credentials, source: init.source, grantToken: init.grantToken, deferred: init.deferred, onProven: init.onProven };
    this.#log = init.log;
    // No property of its own may shadow a getter below (flow.assertion, flow.authentication):
    // valves and templates read them, and a valve must not be able to forge them.
    Object.preventExtensions(this);
  }

  get authentication(): ClientAuthentication | undefined {
    return this.#engine.authentication;
  }

  get assertion(): VerifiedAssertion | undefined {
    return this.#engine.assertion;
  }

  get log(): Logger {
    return this.#log.logger;
  }

  /** The engine-only part of a flow the engine made; anything else is refused. */
  static engineState(flow: Flow): EngineOnly {
    if (!(flow instanceof EngineFlow)) throw authenticationFailed('not_proven', 'flow not made by the engine');
    return flow.#engine;
  }

  static isProven(flow: Flow): boolean {
    return flow instanceof EngineFlow && (flow.#engine.authentication !== undefined || flow.#engine.assertion !== undefined);
  }

  static grantTokenVerified(flow: Flow): boolean {
    return flow instanceof EngineFlow && flow.#engine.assertion !== undefined;
  }

  static progress(flow: Flow): PipeProgress | undefined {
    return flow instanceof EngineFlow ? flow.#progress : undefined;
  }
}

// Nor may the getters be replaced for every flow, at a plugin's create().
Object.freeze(EngineFlow.prototype);

export function createFlow(init: FlowInit): Flow {
  return new EngineFlow(init);
}

function stateOf(flow: Flow): EngineOnly {
  return EngineFlow.engineState(flow);
}

/**
 * Authenticate the flow's client with the credentials it presented; idempotent. Once the
 * client is proven, a deferred problem with its request is thrown, then onProven runs.
 */
export function authenticateFlow(flow: Flow, client: ClientCredentialsConfig, authenticator: ClientAuthenticator, context: VerifyContext): Promise<void> {
  try {
    const state = stateOf(flow);
    if (!state.authentication) {
      // The usual success (a plain or cached secret) is known at once: answered without an
      // async frame, with a promise already settled (and shared), as a caller expects one.
      const atOnce = authenticator.provedAtOnce(state.credentials, client, context.now());
      if (atOnce === undefined) return verifyThenProve(state, client, authenticator, context);
      // provedAtOnce's result is made for this call alone: frozen as it is, not copied.
      state.authentication = Object.freeze(atOnce);
    }
    afterProof(state);
    return SETTLED;
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Frozen: it is shared by every request and handed to valves (engine.authenticateClient),
 * so a valve that sets a member on it (its `then`, say) must not change it for the others.
 */
const SETTLED: Promise<void> = Object.freeze(Promise.resolve());

async function verifyThenProve(state: EngineOnly, client: ClientCredentialsConfig, authenticator: ClientAuthenticator, context: VerifyContext): Promise<void> {
  const authentication = await authenticator.verify(state.credentials, client, context, state.source);
  // A copy: verify()'s answer may be shared by concurrent identical requests.
  state.authentication = Object.freeze(Object.assign({}, authentication));
  afterProof(state);
}

/** Once the client is proven: a deferred problem with its request is thrown, then onProven runs. */
function afterProof(state: EngineOnly): void {
  if (state.deferred) throw state.deferred;
  state.onProven?.proven();
}

/**
 * Verify the grant's token with `verify` (which throws invalid_grant); idempotent. Once
 * it is proven, a deferred problem with the request is thrown, then onProven runs.
 */
export async function verifyFlowAssertion(flow: Flow, verify: (token: string | undefined) => Promise<VerifiedAssertion>): Promise<void> {
  const state = stateOf(flow);
  // Malformed grant parameters leave nothing to verify: say what is wrong with them.
  if (state.grantToken === undefined && state.deferred) throw state.deferred;
  if (!state.assertion) state.assertion = Object.freeze(await verify(state.grantToken));
  afterProof(state);
}

/** Whether the flow's caller is proven: by client authentication or by a verified token. */
export function isProven(flow: Flow): boolean {
  return EngineFlow.isProven(flow);
}

/** Whether the grant's token (assertion, subject_token) was verified: the engine's record, not the flow's getter. */
export function grantTokenVerified(flow: Flow): boolean {
  return EngineFlow.grantTokenVerified(flow);
}

export const PIPE_HOOKS = {
  onEnter(flow: Flow, valve: string): void {
    const progress = EngineFlow.progress(flow);
    if (progress) progress.running = valve;
  },
  onStop(flow: Flow, valve: string): void {
    const progress = EngineFlow.progress(flow);
    if (progress) progress.stoppedBy ??= valve;
  },
};

const NO_PROGRESS: Readonly<PipeProgress> = Object.freeze({});

export function pipeProgress(flow: Flow): Readonly<PipeProgress> {
  return EngineFlow.progress(flow) ?? NO_PROGRESS;
}
