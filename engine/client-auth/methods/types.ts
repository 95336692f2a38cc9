/**
 * A client authentication method (RFC 6749 section 2.3, RFC 7523 section 2.2): which
 * request parameters it owns, how it finds its credentials in a request, and how it
 * verifies them. The list of methods (methods/index.ts) is the one source for the config
 * schema's enum, discovery's token_endpoint_auth_methods_supported and `check`.
 */
import type { ClientCredentialsConfig, VerifyContext } from '../authenticate.js';
import type { KdfSlot, SecretVerifier } from '../secret-verifier.js';

/** What an RP entry of the config says about its credentials. */
export interface RegisteredCredentials {
  readonly client_id: string;
  readonly client_secret?: string | undefined;
  readonly client_secret_hash?: string | undefined;
  readonly client_secrets?: readonly unknown[] | undefined;
  readonly jwks?: unknown;
  readonly jwks_uri?: string | undefined;
  readonly certificates?: readonly string[] | undefined;
}

/** Where credentials may be: the single-valued form parameters and the Authorization header. */
export interface CredentialSource {
  readonly params: ReadonlyMap<string, string>;
  readonly authorization: string | undefined;
}

/** Credentials as a request presented them; `method` names the method that found them. */
export interface PresentedCredentials {
  /** A method's name, or 'none' when the request carried only a client_id. */
  readonly method: string;
  readonly client_id: string;
  /** A secret, for the secret methods: the spelling a key is derived from. */
  readonly secret?: string;
  /**
   * The other reading of a Basic secret, compared only where that is cheap: RFC 6749
   * section 2.3.1 says to form-encode, and curl -u and many libraries do not.
   */
  readonly alternateSecret?: string;
  /** A client assertion (RFC 7523 section 2.2), for the assertion methods. */
  readonly assertion?: string;
  /** The client_assertion_type sent with it. */
  readonly assertionType?: string;
}

/** What a method may use to verify: the clock and URLs, the secret checker, a KDF slot. */
export interface MethodContext extends VerifyContext {
  readonly secrets: SecretVerifier;
  readonly kdf: KdfSlot;
}

export interface ClientAuthMethod {
  /** The token_endpoint_auth_method value. */
  readonly name: string;
  readonly description: string;
  /** Form parameters that carry this method's credentials: never logged, never templated. */
  readonly credentialParams: readonly string[];
  /** The JWS algs its assertions may use (discovery's token_endpoint_auth_signing_alg_values_supported). */
  readonly signingAlgs?: readonly string[];
  /** Whether the request carries this method's credentials (two at once is refused). */
  isPresented(source: CredentialSource): boolean;
  /** Take the credentials out; throws invalid_request or invalid_client when malformed. */
  extract(source: CredentialSource): PresentedCredentials;
  /**
   * What a client registered for this method lacks in the config (for `check`), or
   * undefined when it has what the method needs.
   */
  registrationProblem(rp: RegisteredCredentials): string | undefined;
  /** Resolves when the credentials prove `client`; throws invalid_client otherwise. */
  verify(presented: PresentedCredentials, client: ClientCredentialsConfig, context: MethodContext): Promise<void>;
  /**
   * True when the credentials prove `client` with no work worth waiting for (a plain
   * secret, a `$sha256$` hash, a cached derivation); false means "ask verify()", which
   * alone refuses. Optional: a method without it always goes through verify().
   */
  provesAtOnce?(presented: PresentedCredentials, client: ClientCredentialsConfig, secrets: SecretVerifier, now: number): boolean;
}
