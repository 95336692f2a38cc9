/**
 * Client authentication by the RP's registered token_endpoint_auth_method, and only that
 * method. It works on presented credentials, not on a token flow, so that introspection
 * and revocation authenticate their callers the same way.
 *
 * Strangers learn nothing: every failure answers "client authentication failed", and
 * every failure costs about one key derivation (the costliest the config's hashed secrets
 * need), whether the client exists or not, and whatever its method (issue 9, item 4): an
 * unknown client_id, a method mismatch and a wrong plain secret are not answered faster
 * than a wrong hashed secret. The derivations
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
import { createHmac, randomBytes } from 'node:crypto';
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

/** `notAfter` (seconds since the epoch): from then on the secret no longer authenticates. */
export type ClientSecret = ({ readonly kind: 'plain'; readonly value: string } | { readonly kind: 'hash'; readonly hash: SecretHash }) & { readonly notAfter?: number };

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
  /**
   * The cost a failure is made to take: the scrypt parameters of the costliest hashed
   * secret in the config (undefined when it has none, as then no failure derives).
   */
  readonly equalizeWith?: ScryptCost | undefined;
  /** Where used assertion ids are kept until they expire (RFC 7523 section 3, jti). */
  readonly store: Store;
}

export interface ScryptCost {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

export class ClientAuthenticator {
  // Kept across config reloads by whoever owns the authenticator: the cache and the KDF
  // bound protect the process, not one config.
  private readonly limiter: FairLimiter;
  private readonly secrets = new SecretVerifier();
  /** Verifications under way, by shareKey. */
  private readonly inflight = new Map<string, Promise<ClientAuthentication>>();
  private readonly shareSecret = randomBytes(32);

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
    // A burst of identical secret presentations (a client's cold start) shares one
    // verification and its outcome, whether the client exists or not: sharing only for
    // known clients would let two identical requests tell them apart by timing. Never
    // for assertions, each of which is single-use. When no derivation can happen (no
    // scrypt hash in the config), there is nothing worth sharing, for anyone alike.
    const mayDerive = context.equalizeWith !== undefined || (client !== undefined && registration(client).derives);
    const key = presented.secret === undefined || !mayDerive ? undefined : this.shareKey(presented, client);
    const shared = key === undefined ? undefined : this.inflight.get(key);
    if (shared) return shared;
    const attempt = this.verifyOnce(presented, client, context, source);
    if (key !== undefined) {
      this.inflight.set(key, attempt);
      attempt.then(() => this.inflight.delete(key), () => this.inflight.delete(key));
    }
    return attempt;
  }

  /**
   * The usual success without a promise per layer: credentials that prove `client` with no
   * work worth waiting for (authMethod provesAtOnce). Undefined means "ask verify()", which
   * alone refuses: this path answers only successes, so a stranger's answer, and its
   * timing, are verify()'s as before.
   */
  provedAtOnce(presented: PresentedCredentials, client: ClientCredentialsConfig | undefined, now: number): ClientAuthentication | undefined {
    if (!client || presented.client_id !== client.client_id || presented.method !== client.token_endpoint_auth_method) return undefined;
    const method = authMethod(presented.method);
    if (!method?.provesAtOnce?.(presented, client, this.secrets, now)) return undefined;
    return { method: presented.method, client_id: client.client_id };
  }

  private async verifyOnce(presented: PresentedCredentials, client: ClientCredentialsConfig | undefined, context: VerifyContext, source: string): Promise<ClientAuthentication> {
    let derived = false;
    const kdf: KdfSlot = (task) => {
      derived = true;
      return this.limiter.run({ client: presented.client_id, source }, task);
    };
    try {
      return await this.check(presented, client, Object.assign({}, context, { secrets: this.secrets, kdf }));
    } catch (error) {
      const cost = context.equalizeWith;
      if (!derived && cost && error instanceof OAuthError && error.code === 'invalid_client') await kdf(() => equalizingDerivation(cost));
      throw error;
    }
  }

  /** An HMAC of everything that decides the outcome; the secret itself is never held. */
  private shareKey(presented: PresentedCredentials, client: ClientCredentialsConfig | undefined): string {
    const mac = createHmac('sha256', this.shareSecret);
    for (const part of [presented.method, presented.client_id, presented.secret ?? '', presented.alternateSecret ?? '']) mac.update(part).update('\0');
    // The client as configured: a reloaded config with other secrets does not share.
    mac.update(client ? registration(client).secrets : 'unknown');
    return mac.digest('base64url');
  }

  private async check(presented: PresentedCredentials, client: ClientCredentialsConfig | undefined, context: MethodContext): Promise<ClientAuthentication> {
    if (!client) throw authenticationFailed('unknown_client', 'unknown client');
    if (presented.client_id !== client.client_id) throw authenticationFailed('client_mismatch', 'credentials are for another client');
    const registered = client.token_endpoint_auth_method;
    if (presented.method === 'none') throw authenticationFailed('credentials_missing', `no credentials; the client is registered for ${registered}`);
    if (presented.method !== registered) throw authenticationFailed('method_mismatch', `${presented.method} used; the client is registered for ${registered}`);
    const method = authMethod(registered);
    if (!method) throw authenticationFailed('method_unsupported', `unsupported method ${registered}`);
    await method.verify(presented, client, context);
    return { method: registered, client_id: client.client_id };
  }
}

interface Registration {
  /** The client's secrets as configured, for shareKey: a reloaded config with other secrets does not share. */
  readonly secrets: string;
  /** Whether verifying a secret of this client may run scrypt. */
  readonly derives: boolean;
}

/** Worked out once per client object (a config load), not per request. */
const registrations = new WeakMap<ClientCredentialsConfig, Registration>();

function registration(client: ClientCredentialsConfig): Registration {
  let known = registrations.get(client);
  if (known === undefined) {
    known = {
      secrets: client.secrets.map((s) => (s.kind === 'plain' ? `plain:${s.value}` : s.hash.encoded)).join('\0'),
      derives: client.secrets.some((s) => s.kind === 'hash' && s.hash.kind === 'scrypt'),
    };
    registrations.set(client, known);
  }
  return known;
}

/**
 * The work a failed attempt would have cost against a hashed client of this config, so
 * that failing fast does not tell a stranger that the client does not exist or is not
 * of that kind.
 */
async function equalizingDerivation(cost: ScryptCost): Promise<void> {
  await hashSecret(randomBytes(16).toString('base64url'), { ln: cost.ln, r: cost.r, p: cost.p });
}

/** The costliest scrypt parameters among `costs` (memory × passes), if any. */
export function costliest(costs: Iterable<ScryptCost>): ScryptCost | undefined {
  let best: ScryptCost | undefined;
  for (const cost of costs) if (!best || 2 ** cost.ln * cost.r * cost.p > 2 ** best.ln * best.r * best.p) best = cost;
  return best;
}
