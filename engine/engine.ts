/**
 * A compiled config, ready to serve: clients with their pipes, keystores, and the
 * documents the server publishes. Immutable once built; a reload builds a new Engine.
 */
import type { JWK } from 'jose';
import type { Logger } from 'pino';
import type { ClientAuthenticator, ClientCredentialsConfig, VerifyContext } from './client-auth/authenticate.js';
import { ASSERTION_SIGNING_ALGS } from './client-auth/methods/index.js';
import { publishedDiscoveryMeta } from './config/discovery-meta.js';
import type { SluiceConfig } from './config/types.js';
import type { Client, Flow } from './flow.js';
import { authenticateFlow } from './flow-state.js';
import { GRANT_TYPES } from './grants/index.js';
import { jsonDocument } from './json-document.js';
import { PublishedKeys, type JwksDocument } from './keystores/published-keys.js';
import { keysOf } from './keystores/rotation.js';
import type { Keystore } from './keystores/types.js';
import type { EngineMetrics } from './metrics/engine-metrics.js';
import type { CompiledPipe } from './pipes.js';

export interface RegisteredClient extends ClientCredentialsConfig {
  readonly client: Client;
  /** The client's pipe for each grant type it may use. */
  readonly pipes: ReadonlyMap<string, CompiledPipe>;
  /** A resource server: may introspect tokens issued to any client (RP `introspection: true`). */
  readonly introspection: boolean;
}

/** Endpoint paths relative to the issuer: a published URL is the issuer + one of these. */
export const PATHS = {
  openidConfiguration: '/.well-known/openid-configuration',
  oauthMetadata: '/.well-known/oauth-authorization-server',
  jwks: '/jwks',
  token: '/token',
  introspection: '/introspect',
  revocation: '/revoke',
  userinfo: '/userinfo',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

export interface EngineParts {
  readonly config: SluiceConfig;
  readonly file: string;
  readonly issuer: string;
  readonly keystores: ReadonlyMap<string, Keystore>;
  readonly clients: ReadonlyMap<string, RegisteredClient>;
  readonly authenticator: ClientAuthenticator;
  readonly verifyContext: VerifyContext;
  readonly logger: Logger;
  /** Prometheus metrics; undefined when the config turns them off (metrics.enabled: false). */
  readonly metrics?: EngineMetrics | undefined;
}

// The class carries every part as a readonly field (declaration merging), without
// listing them twice.
export interface Engine extends EngineParts {}
export class Engine {
  /** Served as is: computed once here, not per request. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The metadata's JSON body and ETag, for the discovery endpoints. */
  readonly metadataDocument: Readonly<{ body: string; etag: string }>;
  private readonly publishedKeys: PublishedKeys;

  constructor(parts: EngineParts) {
    Object.assign(this, parts);
    this.publishedKeys = new PublishedKeys([...this.keystores.values()], this.verifyContext.now);
    this.metadata = Object.freeze(this.buildMetadata());
    this.metadataDocument = Object.freeze(jsonDocument(this.metadata));
  }

  /** The JWK Set served at /jwks now (rotated keys come and go with time: keystores/rotation.ts). */
  get jwks(): Readonly<{ keys: readonly JWK[] }> {
    return { keys: this.publishedKeys.document().keys };
  }

  /** /jwks as served: body and ETag, rebuilt only when a key's publication changes. */
  jwksDocument(): JwksDocument {
    return this.publishedKeys.document();
  }

  /**
   * Reads the rotation groups' key times from the store (once per engine): call before the
   * engine serves, after the store answers. Signing and /jwks would otherwise do it on first use.
   */
  keysReady(): Promise<void> {
    return this.publishedKeys.ready();
  }

  /**
   * The public URL of an endpoint: the issuer exactly as configured (path included, no
   * slash added) + its path. Where the server routes it locally is engine/http/paths.ts.
   */
  endpoint(path: string): string {
    return this.issuer + path;
  }

  /** Authenticate a flow's client by its registered method (throws invalid_client). */
  authenticate(flow: Flow, client: RegisteredClient): Promise<void> {
    return authenticateFlow(flow, client, this.authenticator, this.verifyContext);
  }

  /** RFC 8414 §2 metadata; `oidc.discovery_meta` is merged over it (never claiming what the server lacks). */
  private buildMetadata(): Record<string, unknown> {
    // Clients with the same scopes share one list (clients.ts): each list is read once.
    const scopeLists = new Set<readonly string[]>();
    for (const { client } of this.clients.values()) scopeLists.add(client.scopes);
    const scopes = new Set([...scopeLists].flat());
    const published = [...this.keystores.values()].filter((k) => k.publish);
    const publishedKeys = published.flatMap(keysOf);
    // No ID tokens are issued, but OIDC Discovery §3 requires these members and validators
    // (express-oauth2-jwt-bearer) read the alg list as the algs tokens may carry. RS256 is
    // listed as §3 demands; no key signs it unless a keystore can.
    // A managed keystore has no keys yet (they come from the store): its own alg counts.
    const algs = new Set(['RS256', ...[...published, ...publishedKeys].flatMap((k) => k.algorithms)]);
    // Introspection and revocation authenticate their callers as the token endpoint does.
    const authMethods = this.authenticator.supportedMethods();
    // RFC 9701 responses are signed by the first published keystore (introspection-jwt.ts).
    const introspectionSigner = published[0];
    return {
      issuer: this.issuer,
      token_endpoint: this.endpoint(PATHS.token),
      jwks_uri: this.endpoint(PATHS.jwks),
      grant_types_supported: [...GRANT_TYPES.keys()],
      token_endpoint_auth_methods_supported: authMethods,
      // RFC 8414 section 2: the algs private_key_jwt and client_secret_jwt assertions may use.
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGS],
      response_types_supported: [],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...algs],
      scopes_supported: [...scopes].sort(),
      introspection_endpoint: this.endpoint(PATHS.introspection),
      introspection_endpoint_auth_methods_supported: authMethods,
      ...(introspectionSigner ? { introspection_signing_alg_values_supported: [introspectionSigner.alg] } : {}),
      revocation_endpoint: this.endpoint(PATHS.revocation),
      revocation_endpoint_auth_methods_supported: authMethods,
      userinfo_endpoint: this.endpoint(PATHS.userinfo),
      ...publishedDiscoveryMeta(this.config.oidc.discovery_meta),
    };
  }
}

