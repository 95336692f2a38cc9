/**
 * TenantClaims: puts the client's tenant into the tokens it gets, from a template such as
 * `${client.attributes.tenant}`. A client without a tenant is refused (unauthorized_client),
 * unless the config says the claim is optional.
 */
import { defineValve, UnauthorizedClient } from 'sluice';

/** Claims other valves own: a tenant must not be able to replace who the token is for. */
const RESERVED = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope'];

export default defineValve({
  name: 'TenantClaims',
  description: "Adds the client's tenant to its tokens.",
  setsClaims: true, // `sluice check` warns when this valve stands after CreateJwt
  // The config type comes from this schema: { tenant: string; claim: string; optional: boolean }.
  configSchema: {
    type: 'object',
    properties: {
      tenant: { type: 'string', minLength: 1, description: 'The tenant, usually ${client.attributes.tenant}.' },
      claim: { type: 'string', pattern: '^[a-z_]+$', default: 'tenant', description: 'The claim name.' },
      optional: { type: 'boolean', default: false, description: 'Issue tokens without the claim for clients without a tenant.' },
    },
    required: ['tenant'],
  },
  // What the schema cannot say, told by `sluice check` at the YAML line.
  check(config) {
    if (!RESERVED.includes(config.claim)) return [];
    return [{ message: `'${config.claim}' is set by CreateJwt; choose another claim name`, path: ['claim'] }];
  },
  create(config, engine) {
    const tenant = engine.compileTemplate(config.tenant); // compiled once, at load
    return async function tenantClaims(flow, next) {
      const value = tenant(flow);
      if (typeof value === 'string' && value !== '') flow.claims[config.claim] = value;
      else if (!config.optional) throw UnauthorizedClient('this client has no tenant');
      await next();
    };
  },
});
