/**
 * MapIdentity: turns an external identifier from the verified grant token (an Entra
 * `appid`, say) into a service identity of ours: its subject, its platform roles, its
 * attributes, from a table in the config. The identity's subject becomes the token's `sub`
 * and its roles the `roles` claim. An unknown identifier is invalid_grant; roles that the
 * incoming token carries are kept only if declared (`roles:`), else the request fails
 * (or they are dropped, if so configured).
 */
import { ConfigError, defineValve, InvalidGrant } from '../engine/index.js';

interface Identity {
  subject?: string;
  roles: string[];
  attributes: Record<string, unknown>;
}

const RESERVED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope', 'roles'];

export interface MapIdentityConfig {
  issuer?: string;
  claim: string;
  identities: Record<string, Identity>;
  token_roles: { claim: string; undeclared: 'fail' | 'drop' };
  attributes_as_claims: boolean;
  dest: string;
}

export default defineValve<MapIdentityConfig>({
  name: 'MapIdentity',
  description: 'Map an identifier from the verified grant token (e.g. appid) to a service identity: sub, roles and attributes from a table.',
  setsClaims: true,
  writes: (config) => [config.dest],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['claim', 'identities'],
    properties: {
      issuer: { type: 'string', minLength: 1, description: 'The trusted issuer (trusted_issuers[].id) whose identifiers the table holds; required when several are trusted.' },
      claim: { type: 'string', minLength: 1, description: 'The claim of the grant token that names the caller (e.g. appid, azp, sub).' },
      identities: {
        type: 'object',
        description: 'Identifier -> { subject (default: the identifier), roles, attributes }.',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            subject: { type: 'string', minLength: 1 },
            roles: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 }, default: [] },
            attributes: { type: 'object', default: {} },
          },
        },
      },
      token_roles: {
        type: 'object',
        additionalProperties: false,
        default: {},
        description: 'Roles the incoming token carries: kept when declared; undeclared ones fail the request (fail) or are dropped (drop).',
        properties: {
          claim: { type: 'string', minLength: 1, default: 'roles' },
          undeclared: { enum: ['fail', 'drop'], default: 'fail' },
        },
      },
      attributes_as_claims: { type: 'boolean', default: true, description: "Add the identity's attributes to the token's claims." },
      dest: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', patternMessage: 'must be a name (letters, digits, _ and -)', default: 'identity', description: 'Where later valves find { subject, roles, attributes } (${state.DEST}).' },
    },
  },
  create(config, engine) {
    // An identifier means something only at the issuer that assigned it: with several
    // trusted issuers, one could otherwise claim another's identities (attack review M1).
    const issuers = engine.trustedIssuerIds();
    if (config.issuer !== undefined && !issuers.includes(config.issuer)) {
      throw new ConfigError('unknown_reference', `unknown trusted issuer '${config.issuer}'; trusted_issuers: ${issuers.join(', ') || 'none'}`, ['issuer']);
    }
    if (config.issuer === undefined && issuers.length > 1) {
      throw new ConfigError('valve_config', `several issuers are trusted (${issuers.join(', ')}): say whose identifiers these are with issuer:`, []);
    }
    const declared = new Set(engine.roles);
    for (const [id, identity] of Object.entries(config.identities)) {
      identity.roles.forEach((role, r) => {
        if (!declared.has(role)) throw new ConfigError('unknown_reference', `role '${role}' is not declared under roles: (${[...declared].join(', ') || 'none'})`, ['identities', id, 'roles', r]);
      });
    }
    for (const [id, identity] of Object.entries(config.identities)) {
      if (!config.attributes_as_claims) break;
      for (const name of Object.keys(identity.attributes)) {
        // These are the token's own (RFC 7519, RFC 9068) or this valve's: a config typo must not replace them.
        if (RESERVED_CLAIMS.includes(name)) throw new ConfigError('valve_config', `attribute '${name}' would replace the token's own claim; rename it`, ['identities', id, 'attributes', name]);
      }
    }
    const table = new Map(Object.entries(config.identities));

    return async function mapIdentity(flow, next) {
      const claims = flow.assertion?.claims;
      if (!claims) throw InvalidGrant('the grant token was not verified', { detail: 'MapIdentity before VerifyAssertion' });
      if (config.issuer !== undefined && flow.assertion!.issuer !== config.issuer) {
        throw InvalidGrant('unknown identity', { detail: `the token is from ${flow.assertion!.issuer}, the table is for ${config.issuer}` });
      }
      const identifier = claims[config.claim];
      const identity = typeof identifier === 'string' ? table.get(identifier) : undefined;
      if (!identity) throw InvalidGrant('unknown identity', { detail: `${config.claim} ${JSON.stringify(String(identifier)).slice(0, 80)} is not mapped` });
      const carried = claims[config.token_roles.claim];
      const tokenRoles = Array.isArray(carried) ? carried.filter((r): r is string => typeof r === 'string') : [];
      const undeclared = tokenRoles.filter((r) => !declared.has(r));
      if (undeclared.length && config.token_roles.undeclared === 'fail') {
        throw InvalidGrant('the grant token carries a role that does not exist here', { detail: `undeclared roles: ${undeclared.join(', ').slice(0, 200)}` });
      }
      const roles = [...new Set([...identity.roles, ...tokenRoles.filter((r) => declared.has(r))])];
      const subject = identity.subject ?? (identifier as string);
      if (config.attributes_as_claims) Object.assign(flow.claims, structuredClone(identity.attributes));
      flow.claims.sub = subject;
      flow.claims.roles = roles;
      flow.state[config.dest] = { subject, roles, attributes: structuredClone(identity.attributes) };
      await next();
    };
  },
});
