/**
 * Builds flows. What only the engine may decide (that the client is authenticated, and the
 * credentials it presented) lives in module-private WeakMaps, out of reach of valves and
 * templates: a plugin cannot mark a flow authenticated by assigning a property.
 */
import type { Logger } from 'pino';
import type { PresentedCredentials } from './client-auth/credentials.js';
import { AUTHENTICATION_FAILED, type ClientAuthenticator, type ClientCredentialsConfig, type VerifyContext } from './client-auth/authenticate.js';
import { InvalidClient } from './errors.js';
import type { Client, ClientAuthentication, Flow, TokenRequest } from './flow.js';

const authentications = new WeakMap<Flow, ClientAuthentication>();
const credentials = new WeakMap<Flow, PresentedCredentials>();

export function createFlow(init: { id: string; request: TokenRequest; client: Client; credentials: PresentedCredentials; log: Logger }): Flow {
  const flow: Flow = {
    id: init.id,
    request: init.request,
    client: init.client,
    get authentication() {
      return authentications.get(flow);
    },
    grant: { type: init.request.grant_type, scope: [], audience: [] },
    state: {},
    claims: {},
    issued: {},
    response: undefined,
    log: init.log,
  };
  credentials.set(flow, init.credentials);
  return flow;
}

/** Authenticate the flow's client with the credentials it presented; idempotent. */
export async function authenticateFlow(flow: Flow, client: ClientCredentialsConfig, authenticator: ClientAuthenticator, context: VerifyContext): Promise<void> {
  if (authentications.has(flow)) return;
  const presented = credentials.get(flow);
  if (!presented) throw InvalidClient(AUTHENTICATION_FAILED, { detail: 'flow without credentials' });
  const authentication = await authenticator.verify(presented, client, context);
  authentications.set(flow, Object.freeze({ ...authentication }));
}
