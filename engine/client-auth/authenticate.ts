/**
 * Client authentication by the RP's registered token_endpoint_auth_method, and only that
 * method. It works on presented credentials, not on a token flow, so that introspection
 * and revocation authenticate their callers the same way.
 *
 * Strangers learn nothing: every failure answers "client authentication failed", and
 * every failure costs about one key derivation, whether the client exists or not, and
 * whatever its method (issue 9, item 4): an unknown client_id, a method mismatch and a
 * wrong plain secret are not answered faster than a wrong hashed secret. The derivations
 * go through a fair limiter keyed by the claimed client_id and the caller's address.
 *
 * Client assertions (private_key_jwt, client_secret_jwt) are checked in well under a
 * millisecond, yet their failures pay the derivation too. Otherwise a stranger could send
 * the same garbage assertion claiming two client_ids and learn which one exists (and is
 * registered for a key method) from the time the answer takes: an unknown client_id
 * costs a derivation, a known one's bad signature would not. The price is that failed
 * assertions spend CPU, within the fair limiter's bounds, as failed secrets already do;
 * a valid assertion costs no derivation.
 */
import { randomBytes } from 'node:crypto';
import type { ClientAuthentication } from '../flow.js';
import { OAuthError } from '../errors.js';
import { authenticationFailed } from './failure.js';
import { DEFAULT_FAIR_LIMITS, FairLimiter } from './fair-limiter.js';
import { authMethod, AUTH_METHOD_NAMES, type PresentedCredentials } from './methods/index.js';
import type { MethodContext } from './methods/types.js';
import type { KeySet } from '../jwks/key-set.js';
import type { Store } from '../store/types.js';
import type { AssertionRules } from './assertion/verify.js';
import type { ClientCertificate } from './assertion/certificates.js';
import { hashSecret, type SecretHash } from './secret-hash.js';
import { SecretVerifier, type KdfSlot } from './secret-verifier.js';

export type ClientSecret = { readonly kind: 'plain'; readonly value: string } | { readonly kind: 'hash'; readonly hash: SecretHash };

/** What the authenticator needs to know of a registered client. */
export interface ClientCredentialsConfig {
  readonly client_id: string;
  readonly token_endpoint_auth_method: string;
  /** Any one of them authenticates (a seam for rotation without downtime). */
  readonly secrets: readonly ClientSecret[];
  /** private_key_jwt: the client's public keys (jwks or jwks_uri). */
  readonly keySet?: KeySet | undefined;
  /** private_key_jwt: X.509 certificates, chosen by thumbprint. */
  readonly certificates?: readonly ClientCertificate[] | undefined;
  /** Lifetime and clock skew for the client's assertions; default DEFAULT_ASSERTION_RULES. */
  readonly assertionRules?: AssertionRules | undefined;
}

/** What a method may need beyond the credentials (assertion audiences, clocks). */
export interface VerifyContext {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** Seconds since the epoch. */
  now(): number;
  /** Where used assertion ids are kept until they expire (RFC 7523 section 3, jti). */
  readonly store: Store;
}

export class ClientAuthenticator {
  // Kept across config reloads by whoever owns the authenticator: the cache and the KDF
  // bound protect the process, not one config.
  private readonly limiter: FairLimiter;
  private readonly secrets = new SecretVerifier();

  constructor(limiter: FairLimiter = new FairLimiter(DEFAULT_FAIR_LIMITS)) {
    this.limiter = limiter;
  }

  supportedMethods(): string[] {
    return [...AUTH_METHOD_NAMES];
  }

  /** Secrets verified and cached so far (for tests and, later, metrics). */
  get cachedSecrets(): number {
    return this.secrets.cachedCount;
  }

  /**
   * Resolve when `presented` proves `client`; `client` is undefined for an unknown
   * client_id, which fails like any other. `source` is the caller's address.
   */
  async verify(presented: PresentedCredentials, client: ClientCredentialsConfig | undefined, context: VerifyContext, source = ''): Promise<ClientAuthentication> {
    let derived = false;
    const kdf: KdfSlot = (task) => {
      derived = true;
      return this.limiter.run({ client: presented.client_id, source }, task);
    };
    try {
      return await this.check(presented, client, { ...context, secrets: this.secrets, kdf });
    } catch (error) {
      if (!derived && error instanceof OAuthError && error.code === 'invalid_client') await kdf(equalizingDerivation);
      throw error;
    }
  }

  private async check(presented: PresentedCredentials, client: ClientCredentialsConfig | undefined, context: MethodContext): Promise<ClientAuthentication> {
    if (!client) throw authenticationFailed('unknown client');
    if (presented.client_id !== client.client_id) throw authenticationFailed('credentials are for another client');
    const registered = client.token_endpoint_auth_method;
    if (presented.method === 'none') throw authenticationFailed(`no credentials; the client is registered for ${registered}`);
    if (presented.method !== registered) throw authenticationFailed(`${presented.method} used; the client is registered for ${registered}`);
    const method = authMethod(registered);
    if (!method) throw authenticationFailed(`unsupported method ${registered}`);
    await method.verify(presented, client, context);
    return { method: registered, client_id: client.client_id };
  }
}

/**
 * The work a failed attempt would have cost against a client of the default kind (a
 * secret hashed with `sluice secret hash`'s parameters), so that failing fast does not
 * tell a stranger that the client does not exist or is not of that kind.
 */
async function equalizingDerivation(): Promise<void> {
  await hashSecret(randomBytes(16).toString('base64url'));
}
