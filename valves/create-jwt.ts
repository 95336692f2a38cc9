/**
 * CreateJwt: signs a JWT access token (RFC 9068) with a keystore and writes it under
 * `dest` for later valves. Always sets iss, sub (= client_id), aud (the granted audiences,
 * else the issuer), exp, iat, jti, client_id and scope; `jwt_claims` add to or override
 * them. The header carries alg and kid from the keystore and `typ: at+jwt` by default.
 */
import { randomBytes } from 'node:crypto';
import { defineValve } from '../engine/plugin-api.js';
import { ConfigError, InvalidClient } from '../engine/errors.js';
import { parseDuration } from '../engine/duration.js';
import { SIGNING_ALGS, type SigningAlg } from '../engine/keystores/types.js';

export interface CreateJwtConfig {
  keystore: string;
  alg?: SigningAlg;
  jwt_ttl: number | string;
  jwt_headers: Record<string, unknown>;
  jwt_claims: Record<string, unknown>;
  dest: string;
}

export default defineValve<CreateJwtConfig>({
  name: 'CreateJwt',
  description: 'Sign a JWT access token (RFC 9068) with a keystore; the token is written under `dest`.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['keystore'],
    properties: {
      keystore: { type: 'string', minLength: 1, pattern: '^[^$]*$', patternMessage: 'must be a keystore id, not an expression', description: 'Id of the keystore that signs.' },
      alg: { enum: [...SIGNING_ALGS], description: "Default: the keystore's alg." },
      jwt_ttl: {
        type: ['number', 'string'],
        exclusiveMinimum: 0,
        pattern: '^(\\d+[smhd])+$',
        patternMessage: 'must be minutes as a number, or a duration such as 90s, 60m, 1h30m, 1d',
        default: 60,
        description: 'Lifetime: minutes as a number, or a duration string (3600s, 60m, 1h).',
      },
      jwt_headers: { type: 'object', default: {}, description: 'JOSE header members, over `typ: at+jwt` (alg and kid come from the keystore).' },
      jwt_claims: { type: 'object', default: {}, description: 'Claims to add or override; values may be ${…} templates.' },
      dest: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', patternMessage: 'must be a name (letters, digits, _ and -)', default: 'access_token', description: 'Where later valves find the token (${state.DEST}).' },
    },
  },
  create(config, engine) {
    const keystore = engine.keystore(config.keystore);
    if (!keystore) {
      throw new ConfigError('unknown_keystore', `unknown keystore '${config.keystore}'; keystores: ${engine.keystoreIds().join(', ') || 'none'}`, ['keystore']);
    }
    const alg = config.alg ?? keystore.alg;
    if (!keystore.algorithms.includes(alg)) {
      throw new ConfigError('valve_config', `keystore '${keystore.id}' cannot sign ${alg}; it can sign ${keystore.algorithms.join(', ')}`, ['alg']);
    }
    for (const reserved of ['alg', 'kid']) {
      if (reserved in config.jwt_headers) {
        throw new ConfigError('valve_config', `'${reserved}' comes from the keystore${reserved === 'alg' ? " (set the valve's alg instead)" : ''}`, ['jwt_headers', reserved], { atKey: true });
      }
    }
    let ttl: number;
    try {
      ttl = parseDuration(config.jwt_ttl, 'm');
    } catch (error) {
      throw error instanceof ConfigError ? new ConfigError(error.code, error.message, ['jwt_ttl']) : error;
    }
    // RFC 9068 §2.1: typ at+jwt unless the config says otherwise.
    const headers = engine.compileTemplate({ typ: 'at+jwt', ...config.jwt_headers });
    const claims = engine.compileTemplate(config.jwt_claims);

    return async function createJwt(flow, next) {
      // Defence in depth: whatever order the pipe has, never sign for an unauthenticated client.
      if (!flow.authentication) throw InvalidClient('client authentication failed');
      const now = engine.now();
      const { grant, client } = flow;
      const audience = grant.audience.length === 0 ? engine.issuer : grant.audience.length === 1 ? grant.audience[0] : [...grant.audience];
      const payload: Record<string, unknown> = {
        iss: engine.issuer,
        sub: client.client_id,
        aud: audience,
        exp: now + ttl,
        iat: now,
        jti: randomBytes(16).toString('base64url'),
        client_id: client.client_id,
        ...(grant.scope.length ? { scope: grant.scope.join(' ') } : {}),
        ...flow.claims,
        ...claims(flow),
      };
      const token = await keystore.sign(payload, headers(flow), alg);
      const exp = typeof payload.exp === 'number' ? payload.exp : now + ttl;
      flow.state[config.dest] = token;
      flow.issued[config.dest] = { token, token_type: 'Bearer', expires_at: exp, scope: [...grant.scope], claims: payload };
      await next();
    };
  },
});
