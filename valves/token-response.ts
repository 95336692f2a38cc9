/**
 * TokenResponse: the RFC 6749 §5.1 success body for a token a previous valve issued
 * under `token` (its `dest`): access_token, token_type, expires_in, scope. `fields` adds
 * templated members.
 */
import { defineValve, ServerError } from '../engine/index.js';
import { responseProblems } from './response-checks.js';

/** What TokenResponse sets over `fields`, for check's messages. */
const OWN_FIELDS = {
  expires_in: "TokenResponse answers with the token's own remaining lifetime over it: remove it",
  scope: 'TokenResponse answers with the granted scope over it whenever one is granted',
};

export interface TokenResponseConfig {
  token: string;
  fields?: Record<string, unknown>;
}

export default defineValve<TokenResponseConfig>({
  name: 'TokenResponse',
  description: 'Answer with the token issued under `token`: access_token, token_type, expires_in, scope.',
  answers: true,
  reads: (config) => [config.token],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      token: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', patternMessage: 'must be the dest name a token was issued under', default: 'access_token', description: 'The dest the token was issued under.' },
      fields: { type: 'object', description: 'Extra response members; values may be ${…} templates.' },
    },
  },
  check: (config, context) => responseProblems(config.fields, 'fields', context.configsBefore ?? [], OWN_FIELDS),
  create(config, engine) {
    const fields = engine.compileTemplate(config.fields ?? {});
    return async function tokenResponse(flow, next) {
      const issued = flow.issued[config.token];
      if (!issued) throw ServerError(`TokenResponse: no token was issued under '${config.token}'`);
      // RFC 6749 §5.1: scope is required when it differs from the request; always sending it is simplest.
      const scope = issued.scope.length ? { scope: issued.scope.join(' ') } : {};
      flow.response = {
        ...fields(flow),
        access_token: issued.token,
        token_type: issued.token_type,
        expires_in: Math.max(0, issued.expires_at - engine.now()),
        ...scope,
      };
      await next();
    };
  },
});
