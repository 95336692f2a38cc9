/**
 * Builds flows. What only the engine may decide (that the client is authenticated, that
 * the grant's token was verified, the credentials presented, where the caller is) lives
 * in a module-private WeakMap, out of reach of valves and templates: a plugin cannot mark
 * a flow proven by assigning a property.
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
  readonly onProven: (() => void) | undefined;
  authentication?: ClientAuthentication;
  assertion?: VerifiedAssertion;
}

const engineOnly = new WeakMap<Flow, EngineOnly>();

export interface FlowInit {
  id: string;
  request: TokenRequest;
  client: Client;
  credentials: PresentedCredentials;
  source: string;
  grantToken?: string | undefined;
  deferred?: OAuthError | undefined;
  onProven?: (() => void) | undefined;
  /** The request's log; its bound logger is made only if a valve asks for flow.log. */
  log: { readonly logger: Logger };
}

export function createFlow(init: FlowInit): Flow {
  const flow: Flow = {
    id: init.id,
    request: init.request,
    client: init.client,
    get authentication() {
      return engineOnly.get(flow)?.authentication;
    },
    get assertion() {
      return engineOnly.get(flow)?.assertion;
    },
    grant: { type: init.request.grant_type, scope: [], audience: [] },
    state: {},
    claims: {},
    issued: {},
    response: undefined,
    get log() {
      return init.log.logger;
    },
  };
  engineOnly.set(flow, { credentials: init.credentials, source: init.source, grantToken: init.grantToken, deferred: init.deferred, onProven: init.onProven });
  return flow;
}

function stateOf(flow: Flow): EngineOnly {
  const state = engineOnly.get(flow);
  if (!state) throw authenticationFailed('not_proven', 'flow not made by the engine');
  return state;
}

/**
 * Authenticate the flow's client with the credentials it presented; idempotent. Once the
 * client is proven, a deferred problem with its request is thrown, then onProven runs.
 */
export async function authenticateFlow(flow: Flow, client: ClientCredentialsConfig, authenticator: ClientAuthenticator, context: VerifyContext): Promise<void> {
  const state = stateOf(flow);
  if (!state.authentication) {
    const authentication = await authenticator.verify(state.credentials, client, context, state.source);
    state.authentication = Object.freeze({ ...authentication });
  }
  if (state.deferred) throw state.deferred;
  state.onProven?.();
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
  if (state.deferred) throw state.deferred;
  state.onProven?.();
}

/** Whether the flow's caller is proven: by client authentication or by a verified token. */
export function isProven(flow: Flow): boolean {
  const state = engineOnly.get(flow);
  return state?.authentication !== undefined || state?.assertion !== undefined;
}

/** Where a flow's pipe is: the valve running now, and the one that ended the pipe, if any. */
interface PipeProgress {
  running?: string;
  stoppedBy?: string;
}
const progress = new WeakMap<Flow, PipeProgress>();

export const PIPE_HOOKS = {
  onEnter(flow: Flow, valve: string): void {
    const entry = progress.get(flow) ?? {};
    entry.running = valve;
    progress.set(flow, entry);
  },
  onStop(flow: Flow, valve: string): void {
    const entry = progress.get(flow) ?? {};
    entry.stoppedBy ??= valve;
    progress.set(flow, entry);
  },
};

export function pipeProgress(flow: Flow): Readonly<PipeProgress> {
  return progress.get(flow) ?? {};
}
