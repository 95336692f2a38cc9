/**
 * CreateOpaqueToken: issues a random opaque (reference) access token and keeps the claims
 * it stands for in the engine store until it expires; introspection and userinfo resolve
 * it, revocation deletes it. For resource servers that must not read token contents.
 *
 * The claims are those CreateJwt signs (iss, sub, aud, exp, iat, jti, client_id, scope,
 * then flow.claims). Only the token's SHA-256 is stored (engine/tokens/opaque-token.ts).
 */
import {
  chargeClientQuota,
  ConfigError,
  defineValve,
  InvalidClient,
  issuedClaims,
  MAX_DURATION_SECONDS,
  newOpaqueToken,
  parseDuration,
  storeOpaqueToken,
} from '../engine/index.js';

export interface CreateOpaqueTokenConfig {
  ttl: number | string;
  /** Honour the caller's at_lifetime, which may only shorten the ttl. */
  allow_at_lifetime: boolean;
  dest: string;
}

/**
 * Opaque tokens one client may have issued per ttl window: far above what a machine client
 * needs (it reuses a token until it nearly expires), and a small share of the store.
 */
const OPAQUE_TOKENS_PER_CLIENT = 1000;

export default defineValve<CreateOpaqueTokenConfig>({
  name: 'CreateOpaqueToken',
  description: 'Issue a random opaque access token whose claims are kept (under its hash) in the store; the token is written under `dest`.',
  writes: (config) => [config.dest],
  readsClaims: true,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ttl: {
        type: ['number', 'string'],
        exclusiveMinimum: 0,
        maximum: MAX_DURATION_SECONDS / 60,
        pattern: '^(\\d+[smhd])+$',
        patternMessage: 'must be minutes as a number, or a duration such as 90s, 60m, 1h30m, 1d',
        default: '1h',
        description: 'Lifetime: minutes as a number, or a duration string (3600s, 60m, 1h).',
      },
      allow_at_lifetime: { type: 'boolean', default: false, description: 'Honour the at_lifetime request parameter (seconds, or a duration such as 10m), which may only shorten the ttl; otherwise it is ignored.' },
      dest: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', patternMessage: 'must be a name (letters, digits, _ and -)', default: 'access_token', description: 'Where later valves find the token (${state.DEST}).' },
    },
  },
  create(config, engine) {
    let ttl: number;
    try {
      ttl = parseDuration(config.ttl, 'm');
    } catch (error) {
      throw error instanceof ConfigError ? new ConfigError(error.code, error.message, ['ttl']) : error;
    }

    return async function createOpaqueToken(flow, next) {
      // Defence in depth, as CreateJwt: never issue for an unauthenticated client.
      if (!flow.authentication && !flow.assertion) throw InvalidClient('client authentication failed');
      const now = Math.floor(engine.now());
      // The caller's at_lifetime (when allowed) only ever shortens the ttl.
      const asked = config.allow_at_lifetime ? flow.request.at_lifetime : undefined;
      const lifetime = asked === undefined ? ttl : Math.min(ttl, asked);
      const claims = issuedClaims(engine.issuer, flow, now, lifetime);
      // flow.claims may not override exp with something odd: the store entry lives exactly its lifetime.
      claims.exp = now + lifetime;
      // Each live opaque token holds store space for its whole ttl: one client may hold only
      // its share, so that its flood cannot fill the store that revocations and assertion
      // ids need too (third attack review, M1/M2).
      await chargeClientQuota(engine.store, flow.client.client_id, {
        kind: 'opaque',
        limit: OPAQUE_TOKENS_PER_CLIENT,
        windowSeconds: ttl,
        refusal: 'too many live tokens for this client; reuse the ones it has',
        retryAfterSeconds: Math.min(ttl, 300),
      });
      const token = newOpaqueToken();
      await storeOpaqueToken(engine.store, token, claims, lifetime);
      flow.state[config.dest] = token;
      flow.issued[config.dest] = { token, token_type: 'Bearer', expires_at: now + lifetime, scope: [...flow.grant.scope], claims };
      await next();
    };
  },
});
