/**
 * Builds flows. What only the engine may decide (that the client is authenticated, the
 * credentials it presented, where it called from) lives in a module-private WeakMap, out
 * of reach of valves and templates: a plugin cannot mark a flow authenticated by
 * assigning a property.
 */
import type { Logger } from 'pino';
import type { ClientAuthenticator, ClientCredentialsConfig, VerifyContext } from './client-auth/authenticate.js';
import { authenticationFailed } from './client-auth/failure.js';
import type { PresentedCredentials } from './client-auth/methods/index.js';
import type { OAuthError } from './errors.js';
import type { Client, ClientAuthentication, Flow, TokenRequest } from './flow.js';

interface EngineOnly {
  readonly credentials: PresentedCredentials;
  /** The caller's address: the KDF limiter's fairness key. */
  readonly source: string;
  /**
   * What was wrong with the grant's parameters, told only once the client is proven:
   * before that, strangers learn nothing about the request (issue 9, item 2).
   */
  readonly deferred: OAuthError | undefined;
  authentication?: ClientAuthentication;
}

const engineOnly = new WeakMap<Flow, EngineOnly>();

export interface FlowInit {
  id: string;
  request: TokenRequest;
  client: Client;
  credentials: PresentedCredentials;
  source: string;
  deferred?: OAuthError | undefined;
  log: Logger;
}

export function createFlow(init: FlowInit): Flow {
  const flow: Flow = {
    id: init.id,
    request: init.request,
    client: init.client,
    get authentication() {
      return engineOnly.get(flow)?.authentication;
    },
    grant: { type: init.request.grant_type, scope: [], audience: [] },
    state: {},
    claims: {},
    issued: {},
    response: undefined,
    log: init.log,
  };
  engineOnly.set(flow, { credentials: init.credentials, source: init.source, deferred: init.deferred });
  return flow;
}

/**
 * Authenticate the flow's client with the credentials it presented; idempotent. Once the
 * client is proven, a deferred problem with its request is thrown.
 */
export async function authenticateFlow(flow: Flow, client: ClientCredentialsConfig, authenticator: ClientAuthenticator, context: VerifyContext): Promise<void> {
  const state = engineOnly.get(flow);
  if (!state) throw authenticationFailed('flow without credentials');
  if (!state.authentication) {
    const authentication = await authenticator.verify(state.credentials, client, context, state.source);
    state.authentication = Object.freeze({ ...authentication });
  }
  if (state.deferred) throw state.deferred;
}
