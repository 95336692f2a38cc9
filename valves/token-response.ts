/**
 * TokenResponse: the RFC 6749 §5.1 success body for a token a previous valve issued
 * under `token` (its `dest`): access_token, token_type, expires_in, scope. `fields` adds
 * templated members.
 */
import { defineValve, merged, ServerError, type Flow } from '../engine/index.js';
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
    // No fields (the usual config): the body is one literal, not a copy of an empty object.
    const noFields = fields.constant !== undefined && Object.keys(fields.constant as object).length === 0;
    // Not async (no frame, no promise of its own): next()'s promise is the valve's answer. A
    // failure is a rejected promise, as from an async valve (see ScopeCheck).
    return function tokenResponse(flow, next) {
      try {
        flow.response = answer(flow);
      } catch (error) {
        return Promise.reject(error);
      }
      return next();
    };

    function answer(flow: Flow): Record<string, unknown> {
      const issued = flow.issued[config.token];
      if (!issued) throw ServerError(`TokenResponse: no token was issued under '${config.token}'`);
      const expiresIn = Math.max(0, issued.expires_at - engine.now());
      // Members in the order `{ ...fields, access_token, token_type, expires_in, scope }` has them.
      const response: Record<string, unknown> = noFields
        ? { access_token: issued.token, token_type: issued.token_type, expires_in: expiresIn }
        : merged({}, fields(flow));
      if (!noFields) {
        response.access_token = issued.token;
        response.token_type = issued.token_type;
        response.expires_in = expiresIn;
      }
      // RFC 6749 §5.1: scope is required when it differs from the request; always sending it is simplest.
      if (issued.scope.length) response.scope = issued.scope.join(' ');
      return response;
    }
  },
});
