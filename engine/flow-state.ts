/**
 * Builds flows. What only the engine may decide (that the client is authenticated, and the
 * credentials it presented) lives in module-private WeakMaps, out of reach of valves and
 * templates: a plugin cannot mark a flow authenticated by assigning a property.
 */
import type { Logger } from 'pino';
import type { PresentedCredentials } from './client-auth/credentials.js';
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

export function presentedCredentials(flow: Flow): PresentedCredentials | undefined {
  return credentials.get(flow);
}

export function markAuthenticated(flow: Flow, authentication: ClientAuthentication): void {
  authentications.set(flow, Object.freeze({ ...authentication }));
}
