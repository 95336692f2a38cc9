/**
 * `$sha256$` hashes of generated secrets: verified without a key derivation on success,
 * while a wrong secret still costs the equalizing derivation every failure costs.
 */
import { createHmac } from 'node:crypto';
import { MemoryStore } from '../../../engine/store/memory.js';
import { describe, expect, it } from 'vitest';
import { ClientAuthenticator, type ClientCredentialsConfig } from '../../../engine/client-auth/authenticate.js';
import { FairLimiter, type WorkOwner } from '../../../engine/client-auth/fair-limiter.js';
import { fastHash } from '../../../engine/client-auth/fast-hash.js';
import { hashSecret, parseSecretHash, verifySecretHash } from '../../../engine/client-auth/secret-hash.js';
import { ConfigError } from '../../../engine/errors.js';

// Failures cost what the config's costliest scrypt hash costs (here: as if one of ln=10 were configured).
const context = { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', now: () => 1_000, store: new MemoryStore(), equalizeWith: { ln: 10, r: 8, p: 1 } };
const SECRET = 'Zm9vYmFyLWdlbmVyYXRlZC1zZWNyZXQtMDEyMzQ1Njc4OQ';

class CountingLimiter extends FairLimiter {
  readonly runs: string[] = [];
  override run<T>(owner: WorkOwner, task: () => Promise<T>): Promise<T> {
    this.runs.push(owner.client);
    return super.run(owner, task);
  }
}

describe('$sha256$ hashes and not_after', () => {
  it('is HMAC-SHA-256 keyed by the salt, base64url, and verifies only the right secret', async () => {
    const encoded = fastHash(SECRET);
    const [, , salt, digest] = encoded.split('$');
    expect(createHmac('sha256', Buffer.from(salt!, 'base64url')).update(SECRET).digest('base64url')).toBe(digest);
    const hash = parseSecretHash(encoded);
    expect(await verifySecretHash(SECRET, hash)).toBe(true);
    expect(await verifySecretHash(`${SECRET}x`, hash)).toBe(false);
    expect(fastHash(SECRET)).not.toBe(encoded); // salted
  });

  it.each([
    ['no salt', '$sha256$$' + 'A'.repeat(43)],
    ['a short salt', '$sha256$AAAA$' + 'A'.repeat(43)],
    ['a digest of the wrong length', '$sha256$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(40)],
    ['padding', '$sha256$AAAAAAAAAAAAAAAAAAAAAA==$' + 'A'.repeat(43)],
    ['a third part', '$sha256$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43) + '$x'],
  ])('refuses %s at load', (_name, encoded) => {
    expect(() => parseSecretHash(encoded)).toThrow(ConfigError);
  });

  it('succeeds without a key derivation; a wrong secret still costs one', async () => {
    const limiter = new CountingLimiter();
    const authenticator = new ClientAuthenticator(limiter);
    const client: ClientCredentialsConfig = { client_id: 'gen', token_endpoint_auth_method: 'client_secret_post', secrets: [{ kind: 'hash', hash: parseSecretHash(fastHash(SECRET)) }] };
    const post = (secret: string) => ({ method: 'client_secret_post', client_id: 'gen', secret });
    await expect(authenticator.verify(post(SECRET), client, context)).resolves.toEqual({ method: 'client_secret_post', client_id: 'gen' });
    expect(limiter.runs).toEqual([]);
    await expect(authenticator.verify(post('wrong'), client, context)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(limiter.runs).toEqual(['gen']);
  });

  it('stops authenticating at its not_after', async () => {
    const authenticator = new ClientAuthenticator();
    const client: ClientCredentialsConfig = { client_id: 'gen', token_endpoint_auth_method: 'client_secret_post', secrets: [{ kind: 'hash', hash: parseSecretHash(fastHash(SECRET)), notAfter: 1_001 }] };
    const post = { method: 'client_secret_post', client_id: 'gen', secret: SECRET };
    await expect(authenticator.verify(post, client, context)).resolves.toBeDefined();
    await expect(authenticator.verify(post, client, { ...context, now: () => 1_001 })).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('a scrypt secret verified (and cached) before its not_after is refused after it', async () => {
    const authenticator = new ClientAuthenticator();
    const hash = parseSecretHash(await hashSecret('human-chosen-0123456789', { ln: 10, r: 8, p: 1 }));
    const client: ClientCredentialsConfig = { client_id: 'old', token_endpoint_auth_method: 'client_secret_post', secrets: [{ kind: 'hash', hash, notAfter: 1_001 }] };
    const post = { method: 'client_secret_post', client_id: 'old', secret: 'human-chosen-0123456789' };
    await expect(authenticator.verify(post, client, context)).resolves.toBeDefined();
    expect(authenticator.cachedSecrets).toBe(1);
    await expect(authenticator.verify(post, client, { ...context, now: () => 1_001 })).rejects.toMatchObject({ code: 'invalid_client' });
  });
});
