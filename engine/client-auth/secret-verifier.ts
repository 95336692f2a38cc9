/**
 * Verifies a presented client secret against a client's registered secrets that are still
 * valid (before their `not_after`): plain ones and `$sha256$` hashes of generated secrets
 * in constant time, `$scrypt$` hashes with one key derivation per request (through the
 * fair limiter the caller passes in), then from a bounded cache of successes.
 */
import type { ClientSecret, ClientCredentialsConfig } from './authenticate.js';
import { fastHashMatches } from './fast-hash.js';
import { timingSafeEqual } from 'node:crypto';
import { secretDigest, verifySecretHash, type ScryptSecretHash } from './secret-hash.js';
import { VerifiedSecretCache } from './verified-cache.js';

/** The secret as presented: `secret` is derived from; `alternate` only compared cheaply. */
export interface SecretSpellings {
  readonly secret: string;
  readonly alternate?: string | undefined;
}

/** Runs a derivation under the caller's share of the limiter. */
export type KdfSlot = <T>(task: () => Promise<T>) => Promise<T>;

/** Secrets still valid at `now` (seconds): a rotated-out secret stops at its not_after. */
function validAt(secrets: readonly ClientSecret[], now: number): readonly ClientSecret[] {
  // No secret past its not_after (the usual case): the registered list itself, not a copy.
  for (const s of secrets) if (s.notAfter !== undefined && now >= s.notAfter) return secrets.filter((v) => v.notAfter === undefined || now < v.notAfter);
  return secrets;
}

/**
 * The digest of each registered plain secret, made on first use and kept with the secret
 * object (one per config load), so a request digests only what it presents.
 */
const plainDigests = new WeakMap<ClientSecret, Buffer>();

function registeredDigest(candidate: ClientSecret & { kind: 'plain' }): Buffer {
  let digest = plainDigests.get(candidate);
  if (digest === undefined) {
    digest = secretDigest(candidate.value);
    plainDigests.set(candidate, digest);
  }
  return digest;
}

export class SecretVerifier {
  // Kept across config reloads by whoever owns the authenticator: the cache protects the
  // process, not one config; an entry is tied to the exact hash, so a changed one misses.
  private readonly cache = new VerifiedSecretCache();

  async verify(presented: SecretSpellings, client: ClientCredentialsConfig, kdf: KdfSlot, now: number): Promise<boolean> {
    const { secret } = presented;
    const candidates = validAt(client.secrets, now);
    if (this.anySpellingMatches(presented, client.client_id, candidates)) return true;
    const hashes = candidates.flatMap((s) => (s.kind === 'hash' && s.hash.kind === 'scrypt' ? [s.hash] : []));
    if (hashes.length === 0) return false;
    // Concurrent identical requests share this derivation one level up (authenticate.ts),
    // for known and unknown clients alike.
    return kdf(() => this.derive(secret, client.client_id, hashes));
  }

  /** verify() without a derivation: true when a spelling matches a plain secret, a `$sha256$` hash or a cached derivation. */
  matchesCheaply(presented: SecretSpellings, client: ClientCredentialsConfig, now: number): boolean {
    return this.anySpellingMatches(presented, client.client_id, validAt(client.secrets, now));
  }

  /** Both spellings are compared where it is cheap; only `secret` is ever derived from. */
  private anySpellingMatches({ secret, alternate }: SecretSpellings, clientId: string, candidates: readonly ClientSecret[]): boolean {
    return this.cheapMatch(secret, clientId, candidates) || (alternate !== undefined && this.cheapMatch(alternate, clientId, candidates));
  }

  get cachedCount(): number {
    return this.cache.size;
  }

  private async derive(secret: string, clientId: string, hashes: readonly ScryptSecretHash[]): Promise<boolean> {
    for (const hash of hashes) {
      if (await verifySecretHash(secret, hash)) {
        this.cache.add(clientId, secret, hash.encoded);
        return true;
      }
    }
    return false;
  }

  /**
   * Plain secrets, `$sha256$` hashes and cached scrypt verifications: every candidate is
   * compared, no early exit, so the answer's timing does not say which one matched.
   */
  private cheapMatch(secret: string, clientId: string, candidates: readonly ClientSecret[]): boolean {
    let ok = false;
    let presented: Buffer | undefined;
    for (const candidate of candidates) {
      // Fixed-size digests compared in constant time: neither length nor content leaks.
      if (candidate.kind === 'plain') ok = timingSafeEqual((presented ??= secretDigest(secret)), registeredDigest(candidate)) || ok;
      else if (candidate.hash.kind === 'sha256') ok = fastHashMatches(secret, candidate.hash) || ok;
      else ok = this.cache.has(clientId, secret, candidate.hash.encoded) || ok;
    }
    return ok;
  }
}
