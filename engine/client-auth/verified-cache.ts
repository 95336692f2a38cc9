/**
 * A bounded cache of credentials already verified against a client_secret_hash, so that a
 * client does not cost a KDF on every request. It holds an HMAC of the presented secret
 * under a per-process key, never the secret; the entry is tied to the exact hash, so a
 * changed hash in a reloaded config misses. Only successes are cached.
 */
import { createHmac, randomBytes } from 'node:crypto';

export class VerifiedSecretCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, true>();

  constructor(private readonly capacity = 10_000) {}

  /** The entry's key: an HMAC, so the secret itself is never held. */
  id(clientId: string, secret: string, encodedHash: string): string {
    return createHmac('sha256', this.key).update(clientId).update('\0').update(encodedHash).update('\0').update(secret).digest('base64url');
  }

  has(clientId: string, secret: string, encodedHash: string): boolean {
    const id = this.id(clientId, secret, encodedHash);
    if (!this.entries.has(id)) return false;
    this.entries.delete(id); // refresh: Map order is the LRU order
    this.entries.set(id, true);
    return true;
  }

  add(clientId: string, secret: string, encodedHash: string): void {
    const id = this.id(clientId, secret, encodedHash);
    this.entries.set(id, true);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
