/**
 * The flow: the plain data a pipe works on. Valves read and write it; templates read it
 * (`${client.…}`, `${request.…}`, `${grant.…}`, `${state.…}`, `${claims.…}`). It stays
 * plain data on purpose, so that configs written for other pipe-and-valve engines
 * (FortifiedID's `${request.client_id}`, named outputs under `dest`) map onto it.
 */
import type { Logger } from 'pino';

/**
 * The dest name of the token response: a valve that writes `dest: client_credentials`
 * (FortifiedID's name for it, JsonObjectCreate's in its docs) sets flow.response, the one
 * slot TokenResponse also sets and the token endpoint answers with.
 */
export const RESPONSE_DEST = 'client_credentials';

/**
 * The parsed token request. Client credentials are deliberately absent: only the engine's
 * authenticator sees them, so no template or valve can copy a secret into a token.
 */
export interface TokenRequest {
  readonly grant_type: string;
  /** The client_id the caller claims, from the Basic header or the body. */
  readonly client_id: string;
  /** Requested scope, split on spaces (RFC 6749 §3.3). Empty when absent. */
  readonly scope: readonly string[];
  /** RFC 8707 resource indicators. */
  readonly resource: readonly string[];
  /** Requested audiences (`audience` parameter, as in RFC 8693). */
  readonly audience: readonly string[];
  /** Every form parameter except credentials; repeated ones are arrays. */
  readonly params: Readonly<Record<string, string | readonly string[]>>;
  readonly ip: string;
  /**
   * Request-time parameters (OA4MP's, engine/grants/request-params.ts), present when sent
   * and well-formed. `at_lifetime` in seconds: honoured (only ever to shorten) by a valve
   * that allows it. `state` is echoed in the response by the engine. All are the caller's.
   */
  readonly at_lifetime?: number;
  readonly state?: string;
  readonly nonce?: string;
  readonly jti?: string;
}

/** A registered client (relying party) as valves and templates see it: no secrets. */
export interface Client {
  readonly client_id: string;
  readonly token_endpoint_auth_method: string;
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** What has been granted so far; ScopeCheck fills it, CreateJwt reads it. */
export interface Grant {
  readonly type: string;
  scope: string[];
  audience: string[];
}

/** A token minted during the flow, by the `dest` it was written under. */
export interface IssuedToken {
  readonly token: string;
  readonly token_type: string;
  /** Seconds since the epoch. */
  readonly expires_at: number;
  readonly scope: readonly string[];
  /** What the token says (a JWT's payload), for valves that reuse, store or describe it. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The key id a signed token carries (the audit log and the key-use metric read it). */
  readonly kid?: string;
}

/** How the client proved its identity; set only by the engine's client authenticator. */
export interface ClientAuthentication {
  readonly method: string;
  readonly client_id: string;
}

/**
 * A token from a trusted issuer that the engine verified (the JWT-bearer assertion or the
 * token-exchange subject token); set only by the engine, as `authentication` is.
 */
export interface VerifiedAssertion {
  /** The id of the trusted issuer (`trusted_issuers[].id`) that signed it. */
  readonly issuer: string;
  /** Its claims: `${assertion.…}` in templates. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface Flow {
  /** Request id, also in every log line of the request. */
  readonly id: string;
  readonly request: TokenRequest;
  readonly client: Client;
  /** Undefined until the client is authenticated. Read-only: only the engine sets it. */
  readonly authentication: ClientAuthentication | undefined;
  /** Undefined until a VerifyAssertion valve has verified the grant's token. Engine only. */
  readonly assertion: VerifiedAssertion | undefined;
  readonly grant: Grant;
  /** Named outputs: a valve writes its result under its `dest` for later valves. */
  readonly state: Record<string, unknown>;
  /** Claims added to the tokens this flow issues. */
  readonly claims: Record<string, unknown>;
  readonly issued: Record<string, IssuedToken>;
  /**
   * The response body the token endpoint sends; TokenResponse sets it, and so does a valve
   * writing `dest: client_credentials` (RESPONSE_DEST). The last one set is sent.
   */
  response: Record<string, unknown> | undefined;
  readonly log: Logger;
}
