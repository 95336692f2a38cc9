/**
 * CreateJwt: signs a JWT access token (RFC 9068) with a keystore (a `keystores:` id, or
 * FortifiedID's inline form: create-jwt-keystore.ts) and writes it under `dest` for later
 * valves. Always sets iss, sub, aud (the granted audiences, else the issuer), exp, iat,
 * jti, client_id and scope; flow.claims, then `jwt_claims`, add to or
 * override them. sub is the client_id unless an earlier valve sets flow.claims.sub (a
 * valve that maps an external identity to a service identity does). The header carries
 * alg and kid from the keystore and `typ: at+jwt` by default.
 *
 * What jwt_headers and jwt_claims may say is checked at load (create-jwt-rules.ts); a claim
 * the caller may choose (allow_request_claims) is checked against its allowed list here.
 */
import {
  ConfigError,
  defineValve,
  InvalidClient,
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  issuedClaims,
  merged,
  MAX_DURATION_SECONDS,
  parseDuration,
  SIGNING_ALGS,
  type OAuthError,
  type SigningAlg,
} from '../engine/index.js';
import { KEYSTORE_PROPERTIES, keystoreProblems, signingKeystore, type KeystoreKeys } from './create-jwt-keystore.js';
import { checkJwtConfig } from './create-jwt-rules.js';

export interface CreateJwtConfig extends KeystoreKeys {
  alg?: SigningAlg;
  jwt_ttl: number | string;
  jwt_headers: Record<string, unknown>;
  jwt_claims: Record<string, unknown>;
  /** Claim → the values a caller may choose for it (a list, or a template giving one). */
  allow_request_claims?: Record<string, unknown>;
  /** Honour the caller's at_lifetime, which may only shorten the lifetime. */
  allow_at_lifetime: boolean;
  dest: string;
}

/** The answer when a caller chooses a value it may not have, by the claim it is for. */
function refusal(claim: string): OAuthError {
  const description = `the requested '${claim}' is not allowed for this client`;
  if (claim === 'aud') return InvalidTarget(description); // RFC 8707 section 2
  if (claim === 'scope') return InvalidScope(description); // RFC 6749 section 5.2
  return InvalidRequest(description); // RFC 6749 section 5.2: an invalid parameter value
}

/** Whether a caller-chosen claim value is within its allowed list (aud may be a list, scope space-separated). */
function allowed(claim: string, value: unknown, list: unknown): boolean {
  const permitted = [list].flat().filter((v): v is string => typeof v === 'string');
  const chosen = claim === 'aud' ? [value].flat() : claim === 'scope' && typeof value === 'string' ? value.split(' ') : [value];
  return chosen.length > 0 && chosen.every((v) => typeof v === 'string' && permitted.includes(v));
}

export default defineValve<CreateJwtConfig>({
  name: 'CreateJwt',
  description: 'Sign a JWT access token (RFC 9068) with a keystore; the token is written under `dest`.',
  writes: (config) => [config.dest],
  readsClaims: true,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['keystore'],
    properties: {
      ...KEYSTORE_PROPERTIES,
      alg: { enum: [...SIGNING_ALGS], description: "Default: the keystore's alg." },
      jwt_ttl: {
        type: ['number', 'string'],
        exclusiveMinimum: 0,
        maximum: MAX_DURATION_SECONDS / 60,
        pattern: '^(\\d+[smhd])+$',
        patternMessage: 'must be minutes as a number, or a duration such as 90s, 60m, 1h30m, 1d',
        default: 60,
        description: 'Lifetime: minutes as a number, or a duration string (3600s, 60m, 1h).',
      },
      jwt_headers: { type: 'object', default: {}, description: 'JOSE header members, over `typ: at+jwt` (alg and kid come from the keystore).' },
      jwt_claims: { type: 'object', default: {}, description: 'Claims to add or override; values may be ${…} templates.' },
      allow_request_claims: {
        type: 'object',
        additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        description: 'Claims the caller may choose (e.g. sub from ${request.params.sub}), each with the values it may choose from (a list or a template such as ${client.attributes.allowed_subjects}); any other value is refused.',
      },
      allow_at_lifetime: { type: 'boolean', default: false, description: 'Honour the at_lifetime request parameter (seconds, or a duration such as 10m), which may only shorten the lifetime; otherwise it is ignored.' },
      dest: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', patternMessage: 'must be a name (letters, digits, _ and -)', default: 'access_token', description: 'Where later valves find the token (${state.DEST}).' },
    },
  },
  check: (config, context) => [...keystoreProblems(config), ...checkJwtConfig(config, context)],
  async create(config, engine) {
    const keystore = await signingKeystore(config, engine);
    const alg = config.alg ?? keystore.alg;
    if (!keystore.algorithms.includes(alg)) {
      throw new ConfigError('valve_config', `keystore '${keystore.id}' cannot sign ${alg}; it can sign ${keystore.algorithms.join(', ')}`, ['alg']);
    }
    let ttl: number;
    try {
      ttl = parseDuration(config.jwt_ttl, 'm');
    } catch (error) {
      throw error instanceof ConfigError ? new ConfigError(error.code, error.message, ['jwt_ttl']) : error;
    }
    // A rotated-out key stays published until the tokens it signed have expired.
    keystore.noteTokenLifetime?.(ttl);
    // RFC 9068 §2.1: typ at+jwt unless the config says otherwise.
    const headers = engine.compileTemplate({ typ: 'at+jwt', ...config.jwt_headers });
    // A header without request-time values (the usual case) is encoded once, here.
    const constantHeaderSigner = headers.constant === undefined ? undefined : keystore.signer(headers.constant, alg);
    const claims = engine.compileTemplate(config.jwt_claims);
    const choosable = config.allow_request_claims && engine.compileTemplate(config.allow_request_claims);

    return async function createJwt(flow, next) {
      // Defence in depth: whatever order the pipe has, never sign for an unauthenticated client.
      if (!flow.authentication && !flow.assertion) throw InvalidClient('client authentication failed');
      const now = Math.floor(engine.now()); // NumericDate, kept whole (RFC 7519 section 2)
      const { grant } = flow;
      const configured = claims(flow);
      if (choosable) {
        for (const [claim, list] of Object.entries(choosable(flow))) {
          // Absent (the caller chose nothing): the claim keeps its default.
          if (configured[claim] !== undefined && !allowed(claim, configured[claim], list)) throw refusal(claim);
        }
      }
      const payload = merged(issuedClaims(engine.issuer, flow, now, ttl), configured);
      // The caller's at_lifetime (when allowed) only ever shortens, whatever set exp.
      const asked = config.allow_at_lifetime ? flow.request.at_lifetime : undefined;
      if (asked !== undefined && typeof payload.exp === 'number') payload.exp = Math.min(payload.exp, now + asked);
      const token = await (constantHeaderSigner ? constantHeaderSigner(payload) : keystore.sign(payload, headers(flow), alg));
      const exp = typeof payload.exp === 'number' ? payload.exp : now + ttl;
      flow.state[config.dest] = token;
      flow.issued[config.dest] = { token, token_type: 'Bearer', expires_at: exp, scope: [...grant.scope], claims: payload, kid: keystore.kid };
      await next();
    };
  },
});
