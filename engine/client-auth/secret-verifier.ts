/**
 * Verifies a presented client secret against a client's registered secrets: plain ones
 * in constant time, hashed ones with one key derivation per request (through the fair
 * limiter the caller passes in), then from a bounded cache of successes.
 */
import type { ClientSecret, ClientCredentialsConfig } from './authenticate.js';
import { secretsEqual, verifySecretHash, type SecretHash } from './secret-hash.js';
import { VerifiedSecretCache } from './verified-cache.js';

/** The secret as presented: `secret` is derived from; `alternate` only compared cheaply. */
export interface SecretSpellings {
  readonly secret: string;
  readonly alternate?: string | undefined;
}

/** Runs a derivation under the caller's share of the limiter. */
export type KdfSlot = <T>(task: () => Promise<T>) => Promise<T>;

type HashedSecret = Extract<ClientSecret, { kind: 'hash' }>;

export class SecretVerifier {
  // Kept across config reloads by whoever owns the authenticator: the cache protects the
  // process, not one config; an entry is tied to the exact hash, so a changed one misses.
  private readonly cache = new VerifiedSecretCache();
  /** Verifications under way: a burst with the same credentials shares one derivation. */
  private readonly inflight = new Map<string, Promise<boolean>>();

  async verify(presented: SecretSpellings, client: ClientCredentialsConfig, kdf: KdfSlot): Promise<boolean> {
    const { secret, alternate } = presented;
    // Both spellings are compared where it is cheap; only `secret` is ever derived from.
    const cheap = this.cheapMatch(secret, client);
    if (cheap || (alternate !== undefined && this.cheapMatch(alternate, client))) return true;
    const hashes = client.secrets.filter((s): s is HashedSecret => s.kind === 'hash');
    if (hashes.length === 0) return false;
    const key = this.cache.id(client.client_id, secret, hashes.map((h) => h.hash.encoded).join(','));
    let verification = this.inflight.get(key);
    if (!verification) {
      verification = kdf(() => this.derive(secret, client.client_id, hashes)).finally(() => this.inflight.delete(key));
      this.inflight.set(key, verification);
    }
    return verification;
  }

  get cachedCount(): number {
    return this.cache.size;
  }

  private async derive(secret: string, clientId: string, hashes: readonly HashedSecret[]): Promise<boolean> {
    for (const { hash } of hashes) {
      if (await verifySecretHash(secret, hash)) {
        this.cache.add(clientId, secret, hash.encoded);
        return true;
      }
    }
    return false;
  }

  /** Plain secrets and cached verifications: every candidate is compared, no early exit. */
  private cheapMatch(secret: string, client: ClientCredentialsConfig): boolean {
    let ok = false;
    for (const candidate of client.secrets) {
      if (candidate.kind === 'plain') ok = secretsEqual(secret, candidate.value) || ok;
      else ok = this.cache.has(client.client_id, secret, (candidate.hash as SecretHash).encoded) || ok;
    }
    return ok;
  }
}
