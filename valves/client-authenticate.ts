/**
 * ClientAuthenticate: authenticates the client by its registered
 * token_endpoint_auth_method (RFC 6749 §2.3). Placing it in a pipe decides where
 * authentication happens; leaving it out makes the engine authenticate before the pipe.
 */
import { defineValve } from '../engine/index.js';

export default defineValve({
  name: 'ClientAuthenticate',
  description: "Authenticate the client by its registered token_endpoint_auth_method (the methods discovery lists).",
  authenticatesClient: true,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(_config, engine) {
    // No async frame of its own: the rest of the pipe runs once the client is proven.
    return function clientAuthenticate(flow, next) {
      return engine.authenticateClient(flow).then(next);
    };
  },
});
