/**
 * Client authentication by the RP's registered token_endpoint_auth_method, and only that
 * method. It works on presented credentials, not on a token flow, so that introspection
 * and revocation can authenticate callers the same way. Methods are a table so that
 * private_key_jwt and client_secret_jwt (RFC 7523) slot in beside the secret methods.
 *
 * Every failure tells the caller only "client authentication failed": which clients exist
 * and how they authenticate is nobody else's business. The reason goes to the log.
 */
import { InvalidClient } from '../errors.js';
import type { ClientAuthentication } from '../flow.js';
import type { PresentedCredentials } from './credentials.js';
import { ConcurrencyLimiter } from './limiter.js';
import { secretsEqual, verifySecretHash, type SecretHash } from './secret-hash.js';
import { VerifiedSecretCache } from './verified-cache.js';

export type ClientSecret = { readonly kind: 'plain'; readonly value: string } | { readonly kind: 'hash'; readonly hash: SecretHash };

/** What the authenticator needs to know of a registered client. */
export interface ClientCredentialsConfig {
  readonly client_id: string;
  readonly token_endpoint_auth_method: string;
  /** Any one of them authenticates (a seam for rotation without downtime). */
  readonly secrets: readonly ClientSecret[];
}

/** What a method may need beyond the credentials (assertion audiences, clocks). */
export interface VerifyContext {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  now(): number;
}

/** Resolves when the credentials prove the client; throws invalid_client otherwise. */
type MethodVerifier = (presented: PresentedCredentials, client: ClientCredentialsConfig, context: VerifyContext) => Promise<void>;

export const AUTHENTICATION_FAILED = 'client authentication failed';
const fail = (detail: string) => InvalidClient(AUTHENTICATION_FAILED, { detail });

export class ClientAuthenticator {
  // Kept across config reloads by whoever owns the authenticator: the cache and the KDF
  // bound protect the process, not one config.
  private readonly cache = new VerifiedSecretCache();
  private readonly kdf = new ConcurrencyLimiter(2, 64);
  /** Verifications under way: a burst with the same credentials shares one KDF run. */
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly methods: ReadonlyMap<string, MethodVerifier>;

  constructor() {
    const secret: MethodVerifier = (presented, client) => this.verifySecret(presented, client);
    this.methods = new Map([
      ['client_secret_basic', secret],
      ['client_secret_post', secret],
    ]);
  }

  supportedMethods(): string[] {
    return [...this.methods.keys()];
  }

  async verify(presented: PresentedCredentials, client: ClientCredentialsConfig, context: VerifyContext): Promise<ClientAuthentication> {
    if (presented.client_id !== client.client_id) throw fail('credentials are for another client');
    const registered = client.token_endpoint_auth_method;
    if (presented.method === 'none') throw fail(`no credentials; the client is registered for ${registered}`);
    if (presented.method !== registered) throw fail(`${presented.method} used; the client is registered for ${registered}`);
    const verify = this.methods.get(registered);
    if (!verify) throw fail(`unsupported method ${registered}`);
    await verify(presented, client, context);
    return { method: registered, client_id: client.client_id };
  }

  private async verifySecret(presented: PresentedCredentials, client: ClientCredentialsConfig): Promise<void> {
    const { secret, rawSecret } = presented;
    if (secret === undefined) throw fail('no secret');
    if (this.cachedOrPlainMatch(secret, client) || (rawSecret !== undefined && this.cachedOrPlainMatch(rawSecret, client))) return;
    const hashes = client.secrets.filter((s): s is Extract<ClientSecret, { kind: 'hash' }> => s.kind === 'hash');
    if (hashes.length === 0) throw fail('wrong secret');
    // One bounded slot covers every candidate and both spellings of the secret.
    const key = this.cache.id(client.client_id, `${secret}\0${rawSecret ?? ''}`, hashes.map((h) => h.hash.encoded).join(','));
    let verification = this.inflight.get(key);
    if (!verification) {
      verification = this.kdf.run(() => this.verifyAgainstHashes([secret, rawSecret], client.client_id, hashes)).finally(() => this.inflight.delete(key));
      this.inflight.set(key, verification);
    }
    const matched = await verification;
    if (!matched) throw fail('wrong secret');
  }

  private async verifyAgainstHashes(secrets: ReadonlyArray<string | undefined>, clientId: string, hashes: ReadonlyArray<{ hash: SecretHash }>): Promise<boolean> {
    for (const candidate of secrets) {
      if (candidate === undefined) continue;
      for (const { hash } of hashes) {
        if (await verifySecretHash(candidate, hash)) {
          this.cache.add(clientId, candidate, hash.encoded);
          return true;
        }
      }
    }
    return false;
  }

  /** Plain secrets and cached verifications: no KDF. Every plain secret is compared. */
  private cachedOrPlainMatch(secret: string, client: ClientCredentialsConfig): boolean {
    let ok = false;
    for (const candidate of client.secrets) {
      if (candidate.kind === 'plain') ok = secretsEqual(secret, candidate.value) || ok;
      else ok = this.cache.has(client.client_id, secret, candidate.hash.encoded) || ok;
    }
    return ok;
  }
}
