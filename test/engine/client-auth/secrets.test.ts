import { MemoryStore } from '../../../engine/store/memory.js';
import { describe, expect, it } from 'vitest';
import { hashSecret, parseSecretHash, verifySecretHash } from '../../../engine/client-auth/secret-hash.js';
import { VerifiedSecretCache } from '../../../engine/client-auth/verified-cache.js';
import { ConfigError } from '../../../engine/errors.js';

const context = { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', now: () => 0, store: new MemoryStore() };

describe('client_secret_hash', () => {
  it('round-trips, and a wrong secret does not verify', async () => {
    const hash = parseSecretHash(await hashSecret('s3cret-0123456789', { ln: 10, r: 8, p: 1 }));
    expect(await verifySecretHash('s3cret-0123456789', hash)).toBe(true);
    expect(await verifySecretHash('s3cret-012345678', hash)).toBe(false);
  });

  it.each([
    ['not scrypt', '$argon2id$v=19$x$y'],
    ['too cheap', '$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43)],
    ['too much memory per request', '$scrypt$ln=16,r=16,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43)],
    ['short salt', '$scrypt$ln=15,r=8,p=1$AAAA$' + 'A'.repeat(43)],
  ])('refuses %s at load', (_name, encoded) => {
    expect(() => parseSecretHash(encoded)).toThrow(ConfigError);
  });
});

describe('VerifiedSecretCache', () => {
  it('is bounded, evicting the least recently used entry', () => {
    const cache = new VerifiedSecretCache(2);
    cache.add('a', 's', 'h');
    cache.add('b', 's', 'h');
    expect(cache.has('a', 's', 'h')).toBe(true); // a is now the most recent
    cache.add('c', 's', 'h');
    expect(cache.size).toBe(2);
    expect(cache.has('b', 's', 'h')).toBe(false);
    expect(cache.has('a', 's', 'h')).toBe(true);
    expect(cache.has('c', 's', 'h')).toBe(true);
  });

  it('is tied to the client, the secret and the exact hash', () => {
    const cache = new VerifiedSecretCache();
    cache.add('a', 's', 'h1');
    expect(cache.has('a', 's', 'h2')).toBe(false);
    expect(cache.has('b', 's', 'h1')).toBe(false);
    expect(cache.has('a', 't', 'h1')).toBe(false);
  });
});

