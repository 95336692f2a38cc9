import { describe, expect, it } from 'vitest';
import { ClientAuthenticator, type ClientCredentialsConfig } from '../../../engine/client-auth/authenticate.js';
import { hashSecret, parseSecretHash, verifySecretHash } from '../../../engine/client-auth/secret-hash.js';
import { VerifiedSecretCache } from '../../../engine/client-auth/verified-cache.js';
import { ConfigError } from '../../../engine/errors.js';

const context = { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', now: () => 0 };

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

/** A client_secret_basic client whose only secret is the hash of 'right-0123456789'. */
async function hashedClient(): Promise<ClientCredentialsConfig> {
  const hash = parseSecretHash(await hashSecret('right-0123456789', { ln: 10, r: 8, p: 1 }));
  return { client_id: 'svc', token_endpoint_auth_method: 'client_secret_basic', secrets: [{ kind: 'hash', hash }] };
}

describe('ClientAuthenticator', () => {
  it('verifies a hashed secret once, then from the cache; failures are not cached', async () => {
    const authenticator = new ClientAuthenticator();
    const client = await hashedClient();
    const cache = (authenticator as unknown as { cache: VerifiedSecretCache }).cache;
    const presented = (secret: string) => ({ method: 'client_secret_basic' as const, client_id: 'svc', secret });
    await expect(authenticator.verify(presented('wrong'), client, context)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(cache.size).toBe(0);
    await expect(authenticator.verify(presented('right-0123456789'), client, context)).resolves.toEqual({ method: 'client_secret_basic', client_id: 'svc' });
    expect(cache.size).toBe(1);
    await expect(authenticator.verify(presented('right-0123456789'), client, context)).resolves.toBeDefined();
    expect(cache.size).toBe(1);
  });

  it('shares one KDF run among concurrent requests with the same credentials, so a cold burst is not refused', async () => {
    const authenticator = new ClientAuthenticator();
    const client = await hashedClient();
    // 100 at once is beyond the KDF queue (2 running + 64 waiting) if each ran its own scrypt.
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => authenticator.verify({ method: 'client_secret_basic', client_id: 'svc', secret: 'right-0123456789' }, client, context)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it('refuses a burst of distinct wrong secrets beyond the KDF queue with 503', async () => {
    const authenticator = new ClientAuthenticator();
    const client = await hashedClient();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => authenticator.verify({ method: 'client_secret_basic', client_id: 'svc', secret: `wrong-${i}` }, client, context)),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    expect(codes.filter((c) => c === 'invalid_client')).toHaveLength(66);
    expect(codes.filter((c) => c === 'temporarily_unavailable')).toHaveLength(34);
  });

  it('accepts any of several registered secrets (rotation)', async () => {
    const authenticator = new ClientAuthenticator();
    const client: ClientCredentialsConfig = {
      client_id: 'svc',
      token_endpoint_auth_method: 'client_secret_post',
      secrets: [{ kind: 'plain', value: 'old-0123456789' }, { kind: 'hash', hash: parseSecretHash(await hashSecret('new-0123456789', { ln: 10, r: 8, p: 1 })) }],
    };
    for (const secret of ['old-0123456789', 'new-0123456789']) {
      await expect(authenticator.verify({ method: 'client_secret_post', client_id: 'svc', secret }, client, context)).resolves.toBeDefined();
    }
  });
});
