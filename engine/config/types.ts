import type { TrustedIssuerConfig } from '../trusted-issuers.js';
/** The config after load-time resolution, schema validation and defaults. */
import type { KeystoreConfig } from '../keystores/types.js';
import type { StoreConfig } from '../store/config.js';
import type { OverloadConfig } from '../http/overload.js';
import type { MetricsConfig } from '../metrics/config.js';

export interface RpConfig {
  client_id: string;
  client_secret?: string;
  client_secret_hash?: string;
  /** Rotation: each authenticates until its not_after (RFC 3339). */
  client_secrets?: Array<{ secret?: string; hash?: string; not_after?: string }>;
  token_endpoint_auth_method: string;
  /** private_key_jwt: public keys inline (RFC 7517 JWK Set). */
  jwks?: { keys: Array<Record<string, unknown>> };
  /** private_key_jwt: where to fetch them (https, or http on loopback). */
  jwks_uri?: string;
  /** private_key_jwt: PEM X.509 certificates (assertions name one by x5t#S256 / x5t). */
  certificates?: string[];
  /** Seconds; client assertions may live at most this long (exp - iat). */
  assertion_max_lifetime: number;
  /** Seconds of clock difference tolerated for exp, nbf and iat of client assertions. */
  assertion_clock_skew: number;
  scopes: string[];
  audiences: string[];
  attributes: Record<string, unknown>;
  client_credentials_pipe_id?: string;
  /** A resource server: may introspect tokens issued to any client (RFC 7662). */
  introspection: boolean;
  /** Pipes by grant type (besides client_credentials_pipe_id). */
  grant_pipes?: Record<string, string>;
}

export interface ValveEntry {
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  /** An expression (engine/expression/): the valve runs only when it is truthy. */
  exec_if?: string;
  /** FortifiedID's spelling of exec_if. */
  exec_if_expr?: string;
}

export interface PipeConfig {
  id: string;
  description?: string;
  valves: ValveEntry[];
}
export interface ServerConfig {
  host: string;
  port: number;
  /** Where the endpoints are served; undefined: the issuer's path. */
  base_path?: string;
  body_limit: number;
  /** Normalised at load (engine/http/server-config.ts): never `true`. */
  trust_proxy: false | string[];
  max_connections: number;
  /** Seconds. */
  keep_alive_timeout: number;
  /** Cache-Control max-age of /jwks and discovery; the announce window of a new key. */
  jwks_max_age: number;
  /** Seconds. */
  request_timeout: number;
  /** Seconds a drain (SIGTERM, SIGINT) waits for requests in flight before closing their connections. */
  shutdown_timeout: number;
  /** Limits past which requests get 503 (engine/http/overload.ts); false: none. */
  overload: OverloadConfig;
}

export interface SluiceConfig {
  trusted_issuers: TrustedIssuerConfig[];
  /** The platform roles a mapping may assign. */
  roles: string[];
  issuer?: string;
  server: ServerConfig;
  log: { level: string };
  metrics: MetricsConfig;
  globals?: Record<string, unknown>;
  keystores: KeystoreConfig[];
  /** Default { type: memory }. */
  store: StoreConfig;
  oidc: { discovery_meta: Record<string, unknown> };
  rps: RpConfig[];
  pipes: PipeConfig[];
  plugins: string[];
}
