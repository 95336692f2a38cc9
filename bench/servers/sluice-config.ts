/**
 * Sluice configs for the benchmark, written as a user writes them. The baseline is the
 * job the peer is configured for: client_credentials, client_secret_basic, an RFC 9068 JWT
 * for one audience, lifetime 1 h, the standard claims only.
 */
import type { JWK } from 'jose';

export const AUDIENCE = 'https://api.example.com';
export const SCOPES = ['api.read', 'api.write'] as const;
export const TOKEN_LIFETIME_SECONDS = 3600;

export type ClientSecret = { env: string } | { hash: string };

export interface ClientSpec {
  clientId: string;
  secret?: ClientSecret;
  /** private_key_jwt: the client's public key. */
  jwk?: JWK;
  assertionMaxLifetime?: number;
}

export type PipeKind = 'jwt' | 'token-cache' | 'opaque';

export interface SluiceConfigSpec {
  port: number;
  pemFile: string;
  alg: string;
  clients: readonly ClientSpec[];
  pipe: PipeKind;
  /** Memory store entries: opaque tokens and assertion ids of a whole run must fit. */
  storeCapacity?: number;
}

const ISSUING_VALVES: Record<PipeKind, string[]> = {
  jwt: ['CreateJwt'],
  'token-cache': ['TokenCache', 'CreateJwt'],
  opaque: ['CreateOpaqueToken'],
};

function valve(name: string): string {
  if (name === 'CreateJwt') return `      - name: CreateJwt\n        config: { keystore: signing, jwt_ttl: ${TOKEN_LIFETIME_SECONDS / 60}m }`;
  // A short ttl: the store keeps every opaque token for its lifetime, and one client may
  // hold 1000 per ttl; the bench rotates over enough clients (bench/scenarios.ts).
  if (name === 'CreateOpaqueToken') return `      - name: CreateOpaqueToken\n        config: { ttl: 60s }`;
  return `      - name: ${name}`;
}

/** One client per line in flow style, so that 100,000 of them stay a quick file to write. */
function clientLine(client: ClientSpec): string {
  const fields = [`client_id: ${client.clientId}`];
  if (client.secret && 'env' in client.secret) fields.push(`client_secret: "\${env.${client.secret.env}}"`);
  if (client.secret && 'hash' in client.secret) fields.push(`client_secret_hash: "${client.secret.hash}"`);
  if (client.jwk) {
    fields.push('token_endpoint_auth_method: private_key_jwt', `jwks: ${JSON.stringify({ keys: [client.jwk] })}`);
    if (client.assertionMaxLifetime) fields.push(`assertion_max_lifetime: ${client.assertionMaxLifetime}`, 'assertion_clock_skew: 5');
  } else {
    fields.push('token_endpoint_auth_method: client_secret_basic');
  }
  fields.push(`scopes: [${SCOPES.join(', ')}]`, `audiences: ["${AUDIENCE}"]`, 'client_credentials_pipe_id: m2m');
  return `  - { ${fields.join(', ')} }`;
}

export function sluiceConfig(spec: SluiceConfigSpec): string {
  const lines = [
    `issuer: http://127.0.0.1:${spec.port}`,
    `server: { host: 127.0.0.1, port: ${spec.port} }`,
    // The level Sluice ships with: one request line per request is part of the cost.
    'log: { level: info }',
    ...(spec.storeCapacity ? [`store: { type: memory, capacity: ${spec.storeCapacity} }`] : []),
    'keystores:',
    `  - { id: signing, type: pem, path: "${spec.pemFile}", alg: ${spec.alg} }`,
    'rps:',
  ];
  for (const client of spec.clients) lines.push(clientLine(client));
  lines.push('pipes:', '  - id: m2m', '    valves:', valve('ClientAuthenticate'), valve('ScopeCheck'));
  for (const name of ISSUING_VALVES[spec.pipe]) lines.push(valve(name));
  lines.push(valve('TokenResponse'), '');
  return lines.join('\n');
}
