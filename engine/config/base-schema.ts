/**
 * The JSON Schema of the config, without the valves' own config schemas (those come from
 * the registry). Lists that the code owns (auth methods, grant types, keystore types,
 * signing algorithms) are taken from the code, never written here a second time, so the
 * schema, discovery and `check` cannot disagree. `schemas/sluice.schema.json` is this
 * schema published for editors (see published-schema.ts).
 *
 * `patternMessage` is ours: it says in words what a pattern means, for check's messages.
 */
import { AUTH_METHOD_NAMES } from '../client-auth/methods/index.js';
import { GRANT_TYPES } from '../grants/index.js';
import { KEY_STATE_DESCRIPTION, KEY_STATE_NAMES } from '../keystores/key-states.js';
import { KEYSTORE_TYPES, SIGNING_ALGS } from '../keystores/types.js';
import { STORE_TYPES } from '../store/config.js';
import { OVERLOAD_DEFAULTS } from '../http/overload.js';
import type { JsonSchema } from '../plugin-api.js';
import { CONDITION_KEYS } from '../valve-condition.js';
import { METHODS } from '../expression/index.js';
import { METRICS_SCHEMA } from '../metrics/config.js';
import { REQUEST_NAMESPACES } from '../namespaces.js';

const SCOPE_TOKEN = { type: 'string', pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$', patternMessage: 'must be a scope token: no spaces, quotes or backslashes (RFC 6749 section 3.3)' };

const SECRET_HASH = { type: 'string', pattern: '^\\$(scrypt|sha256)\\$', patternMessage: 'must be the output of `sluice secret hash` ($scrypt$…) or `sluice secret generate` ($sha256$…)' };
const VALVE_LIST = { type: 'array', minItems: 1, items: { $ref: '#/definitions/valve' } };
const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$';

function grantPipeFields(): Record<string, JsonSchema> {
  const fields: Record<string, JsonSchema> = {};
  for (const grant of GRANT_TYPES.values()) {
    if (grant.pipeField) fields[grant.pipeField] = { description: `The pipe that answers grant_type ${grant.type}: ${grant.description}`, type: 'string', minLength: 1 };
  }
  fields.grant_pipes = {
    description: `The pipe for each grant type (${[...GRANT_TYPES.keys()].join(', ')}).`,
    type: 'object',
    additionalProperties: { type: 'string', minLength: 1 },
  };
  return fields;
}

const REDIS_NODE = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port'],
  properties: { host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 1, maximum: 65535 } },
};

/** Which fields go with which type and form is checked in code (engine/store/config.ts), at the field. */
function storeSchema(): JsonSchema {
  return {
    description: 'Where state that outlives a request is kept (client-assertion ids, and what later features add): memory (one process, the default) or redis (shared by every instance). Redis comes as one node (url), Sentinel (sentinels + name) or Cluster (cluster).',
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    default: { type: 'memory' },
    properties: {
      type: { enum: [...STORE_TYPES] },
      capacity: { description: 'memory: most entries held at once; when full of unexpired entries, requests that need a new one get 503. Default 100000.', type: 'integer', minimum: 1000, maximum: 10000000 },
      url: { description: 'redis, one node: redis://[user:password@]host[:port][/db] or rediss:// (TLS). Prefer ${env.REDIS_URL} when it holds a password.', type: 'string', minLength: 1 },
      sentinels: { description: 'redis, Sentinel: the sentinels to ask for the current master.', type: 'array', minItems: 1, items: REDIS_NODE },
      name: { description: 'redis, Sentinel: the master name the sentinels watch.', type: 'string', minLength: 1 },
      cluster: { description: 'redis, Cluster: some nodes of the cluster; the others are discovered.', type: 'array', minItems: 1, items: REDIS_NODE },
      username: { description: 'redis, Sentinel or Cluster: the ACL user of the Redis nodes (with url, put it in the URL).', type: 'string', minLength: 1 },
      password: { description: 'redis, Sentinel or Cluster: the password of the Redis nodes; prefer ${env.NAME}.', type: 'string', minLength: 1 },
      prefix: {
        description: 'redis: put before every key, so that deployments can share a Redis. Default "sluice:".',
        type: 'string',
        // No braces: a {…} in the prefix would be every key's Cluster hash tag, all on one node.
        pattern: '^[A-Za-z0-9._:/|-]{1,64}$',
        patternMessage: 'must be 1 to 64 letters, digits or . _ : / | - (no spaces or braces: braces would make every key one Cluster hash tag)',
      },
      start_timeout: { description: 'redis: seconds `sluice serve` waits for Redis at start before it gives up. Default 30.', type: 'integer', minimum: 0, maximum: 600 },
    },
  };
}

/**
 * One object schema that also takes a boolean (no anyOf, whose failed branches would each
 * be a diagnostic). Defaults live in OVERLOAD_DEFAULTS, applied in code (`true` too).
 */
function overloadSchema(): JsonSchema {
  const d = OVERLOAD_DEFAULTS;
  return {
    description: 'While a limit is exceeded, requests get 503 temporarily_unavailable with Retry-After (/healthz still answers, /readyz says overloaded). false: no limits; true or {}: the defaults.',
    type: ['object', 'boolean'],
    default: {},
    additionalProperties: false,
    properties: {
      max_event_loop_delay_ms: { description: `Mean event-loop delay over a second, in ms. Default ${d.max_event_loop_delay_ms}; 0: not checked.`, type: 'number', minimum: 0 },
      max_heap_used_ratio: { description: `Share of the V8 heap limit in use. Default ${d.max_heap_used_ratio}; 0: not checked.`, type: 'number', minimum: 0, maximum: 1 },
      max_rss_bytes: { description: 'Resident memory in bytes (set it below the container\'s memory limit). Default 0: not checked.', type: 'integer', minimum: 0 },
      retry_after: { description: `Seconds, sent as Retry-After. Default ${d.retry_after}.`, type: 'integer', minimum: 1, maximum: 3600 },
    },
  };
}

export function buildBaseSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://sluice.dev/schemas/sluice.schema.json',
    title: 'Sluice configuration',
    description: 'The one YAML file that declares a Sluice authorization server. Generated by `sluice schema`: do not edit by hand.',
    type: 'object',
    additionalProperties: false,
    required: ['rps', 'pipes'],
    properties: {
      issuer: {
        description: 'The issuer identifier (RFC 8414 section 2): scheme://host[:port] and an optional path such as /platform or /realms/x; no query, fragment or trailing slash. Tokens carry it exactly as written; the endpoints are served under its path (see server.base_path). Default: http://HOST:PORT of `server` (plus server.base_path).',
        type: 'string',
        // No userinfo (RFC 3986 section 3.2.1): the issuer is published in discovery and every token.
        pattern: '^https?://[^/?#@]+(/(?!\\.{1,2}(/|$))[A-Za-z0-9._~-]+)*$',
        patternMessage: 'must be scheme://host[:port] with an optional path of plain segments (letters, digits, . _ ~ -), no user:password@ (the issuer is published), query, fragment or trailing slash (e.g. https://auth.example.com or https://auth.example.com/realms/acme)',
      },
      server: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          host: { type: 'string', default: '127.0.0.1' },
          port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
          base_path: {
            description: 'Where the endpoints are served (/token becomes BASE/token). Default: the path of `issuer`. Set "" when a proxy strips the issuer\'s path before forwarding.',
            type: 'string',
            pattern: '^(/(?!\\.{1,2}(/|$))[A-Za-z0-9._~-]+)*$',
            patternMessage: 'must be empty or /segment[/segment...] of plain segments (letters, digits, . _ ~ -), no trailing slash',
          },
          body_limit: { description: 'Largest request body in bytes.', type: 'integer', minimum: 256, maximum: 1048576, default: 16384 },
          trust_proxy: {
            description: 'Which proxies to believe about the client address (X-Forwarded-For): false (none, the default) or the proxies\' addresses/CIDRs, as a list or a comma-separated string (loopback, linklocal and uniquelocal name ranges). `true` and hop counts are refused: a caller could choose its own address.',
            // Only what check accepts: false, a comma string or a list (a string from ${env.…}
            // too, 'false' included). true and hop counts are refused with a reason by check.
            anyOf: [{ const: false }, { type: 'string' }, { type: 'array', items: { type: 'string' } }],
            default: false,
          },
          max_connections: { description: 'Most connections open at once; further ones are closed on arrival.', type: 'integer', minimum: 1, maximum: 1000000, default: 1024 },
          keep_alive_timeout: { description: 'Seconds an idle keep-alive connection stays open. Behind a load balancer, make it longer than the balancer\'s idle timeout (AWS ALB: 60).', type: 'number', exclusiveMinimum: 0, maximum: 600, default: 5 },
          request_timeout: { description: 'Seconds a client has to send a whole request (headers included), and the server to answer it (then 503, the valve still running in the log).', type: 'number', minimum: 1, maximum: 300, default: 10 },
          shutdown_timeout: { description: 'Seconds SIGTERM/SIGINT waits for requests in flight to finish before closing their connections; then the process exits 0.', type: 'number', minimum: 0, maximum: 600, default: 10 },
          overload: overloadSchema(),
          jwks_max_age: { description: 'Seconds resource servers may cache /jwks and discovery (Cache-Control max-age); also how long a new key is published before it signs.', type: 'integer', minimum: 0, maximum: 86400, default: 300 },
        },
      },
      log: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        },
      },
      metrics: METRICS_SCHEMA,
      globals: { description: 'Values other parts of the config use as ${globals.path}.', type: 'object' },
      keystores: { type: 'array', default: [], items: { $ref: '#/definitions/keystore' } },
      oidc: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          discovery_meta: { description: 'Merged into both discovery documents.', type: 'object', default: {} },
        },
      },
      trusted_issuers: {
        description: 'Identity providers whose JWTs are accepted as grants (JWT-bearer, token exchange), verified by the VerifyAssertion valve.',
        type: 'array',
        default: [],
        items: { $ref: '#/definitions/trusted_issuer' },
      },
      roles: {
        description: 'The platform roles that MapIdentity may assign; a mapping naming another is a check error.',
        type: 'array',
        default: [],
        uniqueItems: true,
        items: { type: 'string', minLength: 1 },
      },
      store: storeSchema(),
      rps: { description: 'Relying parties: the clients allowed to ask for tokens.', type: 'array', items: { $ref: '#/definitions/rp' } },
      pipes: { type: 'array', items: { $ref: '#/definitions/pipe' } },
      plugins: { description: 'Valve plugins: ESM files (relative to this file) or package names.', type: 'array', default: [], items: { type: 'string', minLength: 1 } },
    },
    definitions: {
      keystore: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type'],
        properties: {
          id: { type: 'string', minLength: 1 },
          type: { enum: [...KEYSTORE_TYPES] },
          path: { description: 'Key file, relative to the config file.', type: 'string', minLength: 1 },
          password: { type: 'string' },
          alias: { description: 'pkcs12: the key\'s friendly name; jwks: its kid. Default: the first key.', type: 'string' },
          alg: { enum: [...SIGNING_ALGS] },
          kid: { description: 'Default: the RFC 7638 thumbprint.', type: 'string', minLength: 1 },
          publish: { description: 'Publish the public key at /jwks.', type: 'boolean', default: true },
          state: { description: KEY_STATE_DESCRIPTION, enum: [...KEY_STATE_NAMES] },
          rotate_every: { description: 'managed: a new key every this long (e.g. 30d, 7d, 12h). Default 30d.', type: 'string', pattern: '^(\\d+[smhd])+$', patternMessage: 'must be a duration such as 30d, 7d or 12h' },
          encryption_key: { description: 'managed: 32 random bytes, 64 hex digits or base64, sealing the keys in the store (AES-256-GCM); use ${env.SLUICE_KEY_ENCRYPTION_KEY}.', type: 'string' },
          retire_at: { description: 'previous: stop publishing the key at this RFC 3339 time (e.g. 2026-12-01T00:00:00Z). Default: when the tokens it signed have expired.', type: 'string' },
        },
      },
      trusted_issuer: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'issuer', 'audiences'],
        properties: {
          id: { type: 'string', minLength: 1 },
          issuer: { description: 'The `iss` its tokens carry, exactly.', type: 'string', minLength: 1 },
          jwks_uri: { description: 'Where its public keys are published (https; http only on loopback).', type: 'string', minLength: 1 },
          jwks: { description: 'Its public keys, inline.', type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } },
          audiences: { description: 'A token must name one of these in `aud` (us, as the IdP knows us).', type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          algorithms: { description: 'The algorithms its tokens may be signed with (never none or HMAC).', type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SIGNING_ALGS] }, default: ['RS256'] },
          clock_skew: { description: 'Seconds of clock difference tolerated on exp, nbf and iat.', type: 'integer', minimum: 0, maximum: 600, default: 60 },
        },
      },
      rp: {
        type: 'object',
        additionalProperties: false,
        required: ['client_id'],
        properties: {
          client_id: { type: 'string', minLength: 1, pattern: '^[\\x20-\\x7e]+$', patternMessage: 'must be printable ASCII (RFC 6749 appendix A.1)' },
          client_secret: { description: 'The secret in clear; prefer ${env.NAME} or client_secret_hash.', type: 'string', minLength: 1 },
          client_secret_hash: { description: 'A hash of the secret: `sluice secret hash` ($scrypt$…) or `sluice secret generate` ($sha256$…).', ...SECRET_HASH },
          client_secrets: {
            description: 'Secrets for rotation without downtime: each { secret | hash, not_after? } authenticates until its not_after. Instead of client_secret/client_secret_hash.',
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                secret: { description: 'The secret in clear; prefer ${env.NAME}.', type: 'string', minLength: 1 },
                hash: SECRET_HASH,
                not_after: { description: 'RFC 3339 timestamp (2027-01-31T00:00:00Z): from then on this secret is refused.', type: 'string', pattern: RFC3339, patternMessage: 'must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z' },
              },
            },
          },
          token_endpoint_auth_method: { enum: [...AUTH_METHOD_NAMES], default: 'client_secret_basic' },
          jwks: {
            description: 'private_key_jwt: the client\'s public keys, a JWK Set (RFC 7517 section 5). Give jwks or jwks_uri.',
            type: 'object',
            required: ['keys'],
            properties: { keys: { type: 'array', minItems: 1, items: { type: 'object', required: ['kty'], properties: { kty: { type: 'string' } } } } },
          },
          jwks_uri: { description: 'private_key_jwt: where the client publishes its JWK Set; https (http only on loopback). Fetched with a 3 s timeout and a 64 KiB limit, cached, refetched on an unknown kid at most every 30 s.', type: 'string', minLength: 1 },
          certificates: {
            description: 'private_key_jwt: PEM X.509 certificates (usually ${file.…}); an assertion names one in its header by x5t#S256, x5t or kid (thumbprint), as Microsoft Entra ID clients do.',
            type: 'array',
            items: { type: 'string', minLength: 1 },
          },
          assertion_max_lifetime: { description: 'Seconds a client assertion (private_key_jwt, client_secret_jwt) may live, exp - iat.', type: 'integer', minimum: 1, maximum: 3600, default: 300 },
          assertion_clock_skew: { description: 'Seconds of clock difference tolerated for a client assertion\'s exp, nbf and iat.', type: 'integer', minimum: 0, maximum: 600, default: 60 },
          scopes: { type: 'array', items: SCOPE_TOKEN, uniqueItems: true, default: [] },
          audiences: { description: 'Resource indicators (RFC 8707) this client may get tokens for.', type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
          attributes: { description: 'Free-form data for valves: ${client.attributes.…}.', type: 'object', default: {} },
          introspection: { description: 'A resource server: may introspect tokens issued to any client at /introspect (RFC 7662); without it a client introspects only its own tokens.', type: 'boolean', default: false },
          ...grantPipeFields(),
        },
      },
      pipe: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          valves: VALVE_LIST,
          config: { description: "FortifiedID's form of a pipe: { valves: [...] } here instead of valves.", type: 'object', additionalProperties: false, required: ['valves'], properties: { valves: VALVE_LIST } },
        },
        // valves, or FortifiedID's config.valves (engine/config/pipe-shape.ts); an `if` error is not reported.
        if: { properties: { config: { type: 'object' } }, required: ['config'] },
        then: {},
        else: { properties: { valves: { type: 'array' } }, required: ['valves'] },
      },
      valve: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          enabled: { type: 'boolean', default: true },
          config: { type: 'object', default: {} },
          ...conditionFields(),
        },
      },
    },
  };
}

/** exec_if and its FortifiedID spelling (engine/valve-condition.ts). */
function conditionFields(): Record<string, unknown> {
  const description = `An expression over ${Object.keys(REQUEST_NAMESPACES).join(', ')} (==, ===, <, &&, ||, !, member and index access, .length, ${METHODS.join(', ')}): the valve runs only when it is truthy, else the pipe goes on. A valve with exec_if never counts as the pipe's client authentication.`;
  return Object.fromEntries(CONDITION_KEYS.map((key, i) => [key, { description: i === 0 ? description : "FortifiedID's spelling of exec_if.", type: 'string', minLength: 1 }]));
}
