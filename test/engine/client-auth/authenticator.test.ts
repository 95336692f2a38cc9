/**
 * The authenticator's promises to strangers: failures cost about one key derivation
 * whatever the reason, derivations are fair per client id and bounded per source, and a
 * request derives at most once.
 */
import { MemoryStore } from '../../../engine/store/memory.js';
import { describe, expect, it } from 'vitest';
import { ClientAuthenticator, type ClientCredentialsConfig } from '../../../engine/client-auth/authenticate.js';
import { FairLimiter, type WorkOwner } from '../../../engine/client-auth/fair-limiter.js';
import { hashSecret, parseSecretHash } from '../../../engine/client-auth/secret-hash.js';
import { secretReadings } from '../../../engine/client-auth/methods/client-secret-basic.js';
import type { PresentedCredentials } from '../../../engine/client-auth/methods/index.js';

// Failures cost what a hashed secret of these tests costs to check.
const context = { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', now: () => 0, store: new MemoryStore(), equalizeWith: { ln: 10, r: 8, p: 1 } };

/** A limiter that counts the derivations it runs, per client id. */
class CountingLimiter extends FairLimiter {
  /** Derivations asked for, by claimed client_id. */
  readonly runs: string[] = [];
  /** Derivations started, in order. */
  readonly started: string[] = [];
  override run<T>(owner: WorkOwner, task: () => Promise<T>): Promise<T> {
    this.runs.push(owner.client);
    return super.run(owner, () => {
      this.started.push(owner.client);
      return task();
    });
  }
}

async function hashedClient(id = 'svc', secret = 'right-0123456789'): Promise<ClientCredentialsConfig> {
  const hash = parseSecretHash(await hashSecret(secret, { ln: 10, r: 8, p: 1 }));
  return { client_id: id, token_endpoint_auth_method: 'client_secret_basic', secrets: [{ kind: 'hash', hash }] };
}
const plainClient: ClientCredentialsConfig = { client_id: 'plain', token_endpoint_auth_method: 'client_secret_basic', secrets: [{ kind: 'plain', value: 'plain-0123456789' }] };
const basic = (client_id: string, secret: string): PresentedCredentials => ({ method: 'client_secret_basic', client_id, ...secretReadings(secret) });
const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok');

describe('ClientAuthenticator', () => {
  it('verifies a hashed secret once, then from the cache; failures are not cached', async () => {
    const limiter = new CountingLimiter();
    const authenticator = new ClientAuthenticator(limiter);
    const client = await hashedClient();
    await expect(authenticator.verify(basic('svc', 'wrong'), client, context)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(authenticator.cachedSecrets).toBe(0);
    await expect(authenticator.verify(basic('svc', 'right-0123456789'), client, context)).resolves.toEqual({ method: 'client_secret_basic', client_id: 'svc' });
    await expect(authenticator.verify(basic('svc', 'right-0123456789'), client, context)).resolves.toBeDefined();
    expect(authenticator.cachedSecrets).toBe(1);
    expect(limiter.runs).toEqual(['svc', 'svc']); // the wrong one and the first right one; the second came from the cache
  });

  it('shares one derivation among concurrent requests with the same credentials, so a cold burst is not refused', async () => {
    const limiter = new CountingLimiter();
    const authenticator = new ClientAuthenticator(limiter);
    const client = await hashedClient();
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => authenticator.verify(basic('svc', 'right-0123456789'), client, context, '10.0.0.1')));
    expect(results.map(codeOf).filter((c) => c !== 'ok')).toEqual([]);
    expect(limiter.runs).toHaveLength(1);
  });

  // Issue 9 item 3: one global queue let 100 wrong secrets for one client make a correct
  // login of another client answer 503.
  it.each([
    ['from one address', () => '203.0.113.1', 3], // the two running, and the first that waited
    ['from 50 addresses', (i: number) => `10.0.${i % 50}.1`, 10], // the flooded client may queue 8
  ])('a flood of wrong secrets against one client %s does not refuse or starve another client', async (_name, sourceOf, atMostBefore) => {
    const limiter = new CountingLimiter();
    const authenticator = new ClientAuthenticator(limiter);
    const victim = await hashedClient('victim');
    const other = await hashedClient('other', 'other-0123456789');
    const flood = Array.from({ length: 100 }, (_, i) => authenticator.verify(basic('victim', `wrong-${i}`), victim, context, sourceOf(i)));
    const floodDone = Promise.allSettled(flood);
    const login = authenticator.verify(basic('other', 'other-0123456789'), other, context, '192.0.2.7');
    await expect(login).resolves.toMatchObject({ client_id: 'other' });
    const codes = (await floodDone).map(codeOf);
    expect(codes.filter((c) => c === 'ok')).toEqual([]);
    expect(codes).toContain('temporarily_unavailable'); // the flood itself is cut short
    expect(limiter.started.indexOf('other')).toBeLessThanOrEqual(atMostBefore);
  });

  // Attack review H2: sharing only known clients' derivations told them apart by timing.
  it('two identical concurrent failures share one derivation, for a known and an unknown client alike', async () => {
    const client = await hashedClient();
    for (const target of [client, undefined]) {
      const limiter = new CountingLimiter();
      const authenticator = new ClientAuthenticator(limiter);
      const id = target ? 'svc' : 'nobody';
      const results = await Promise.allSettled([0, 1].map(() => authenticator.verify(basic(id, 'wrong-0123'), target, context, '10.0.0.1')));
      expect(results.map(codeOf)).toEqual(['invalid_client', 'invalid_client']);
      expect(limiter.runs).toEqual([id]);
    }
  });

  it('bounds the derivations one source address may have waiting or running', async () => {
    const authenticator = new ClientAuthenticator(new FairLimiter({ concurrency: 1, perClient: 100, perSource: 3, total: 100, deadlineMs: 60_000 }));
    const clients = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => hashedClient(id)));
    const results = await Promise.allSettled(clients.map((c) => authenticator.verify(basic(c.client_id, 'wrong'), c, context, '203.0.113.9')));
    expect(results.map(codeOf)).toEqual(['invalid_client', 'invalid_client', 'invalid_client', 'temporarily_unavailable', 'temporarily_unavailable']);
    // Another address is not affected by that one's bound.
    await expect(authenticator.verify(basic('a', 'right-0123456789'), clients[0], context, '198.51.100.1')).resolves.toBeDefined();
  });

  // Issue 9 item 4: an unknown client was answered before any derivation (2 ms against 120 ms).
  it.each([
    ['an unknown client', undefined, basic('nobody', 'whatever-0123')],
    ['a plain-secret client with a wrong secret', plainClient, basic('plain', 'wrong')],
    ['the wrong method for the client', plainClient, { method: 'client_secret_post', client_id: 'plain', secret: 'plain-0123456789' }],
    ['no credentials at all', plainClient, { method: 'none', client_id: 'plain' }],
  ] as const)('%s costs one derivation, like a wrong hashed secret', async (_name, client, presented) => {
    const limiter = new CountingLimiter();
    const authenticator = new ClientAuthenticator(limiter);
    await expect(authenticator.verify(presented as PresentedCredentials, client, context)).rejects.toMatchObject({ code: 'invalid_client', message: 'client authentication failed' });
    expect(limiter.runs).toEqual([presented.client_id]);
  });

  it('with no hashed secret in the config, no failure derives (there is no slower kind to look like)', async () => {
    const limiter = new CountingLimiter();
    const { equalizeWith: _, ...plainConfig } = context;
    await expect(new ClientAuthenticator(limiter).verify(basic('nobody', 'x'), undefined, plainConfig)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(limiter.runs).toEqual([]);
  });

  it('a right plain secret costs no derivation', async () => {
    const limiter = new CountingLimiter();
    await new ClientAuthenticator(limiter).verify(basic('plain', 'plain-0123456789'), plainClient, context);
    expect(limiter.runs).toEqual([]);
  });

  // Issue 9 item 3: a secret containing % or + was derived twice (both spellings).
  it.each([
    ['a literal + (base64), sent raw as curl -u does', 'ab+cd/ef==-0123456789', 'ab+cd/ef==-0123456789'],
    ['a literal +, form-encoded as RFC 6749 section 2.3.1 says', 'ab+cd-0123456789', 'ab%2Bcd-0123456789'],
    ['a literal %, form-encoded', '100%sure-0123456789', '100%25sure-0123456789'],
  ])('a hashed secret with %s: one derivation, accepted', async (_name, secret, sent) => {
    const limiter = new CountingLimiter();
    const authenticator = new ClientAuthenticator(limiter);
    const client = await hashedClient('svc', secret);
    await expect(authenticator.verify(basic('svc', sent), client, context)).resolves.toBeDefined();
    await expect(authenticator.verify(basic('svc', sent.replace('0123', 'XXXX')), client, context)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(limiter.runs).toEqual(['svc', 'svc']);
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

describe('ClientAuthenticator.provedAtOnce (the token path without a promise per layer)', () => {
  it('proves a plain secret, in either spelling, and nothing else', () => {
    const authenticator = new ClientAuthenticator();
    expect(authenticator.provedAtOnce(basic('plain', 'plain-0123456789'), plainClient, 0)).toEqual({ method: 'client_secret_basic', client_id: 'plain' });
    expect(authenticator.provedAtOnce(basic('plain', 'wrong-0123456789'), plainClient, 0)).toBeUndefined();
    expect(authenticator.provedAtOnce(basic('plain', 'plain-0123456789'), undefined, 0)).toBeUndefined();
    expect(authenticator.provedAtOnce(basic('other', 'plain-0123456789'), plainClient, 0)).toBeUndefined();
    const posted: PresentedCredentials = { method: 'client_secret_post', client_id: 'plain', secret: 'plain-0123456789' };
    expect(authenticator.provedAtOnce(posted, plainClient, 0)).toBeUndefined(); // registered for basic: verify() refuses it
  });

  it('leaves a secret past its not_after to verify(), which refuses it', async () => {
    const authenticator = new ClientAuthenticator();
    const rotated: ClientCredentialsConfig = { ...plainClient, secrets: [{ kind: 'plain', value: 'plain-0123456789', notAfter: 100 }] };
    expect(authenticator.provedAtOnce(basic('plain', 'plain-0123456789'), rotated, 99)).toBeDefined();
    expect(authenticator.provedAtOnce(basic('plain', 'plain-0123456789'), rotated, 100)).toBeUndefined();
  });

  it('proves a scrypt-hashed secret only once verify() has derived and cached it', async () => {
    const authenticator = new ClientAuthenticator();
    const client = await hashedClient();
    expect(authenticator.provedAtOnce(basic('svc', 'right-0123456789'), client, 0)).toBeUndefined();
    await authenticator.verify(basic('svc', 'right-0123456789'), client, context);
    expect(authenticator.provedAtOnce(basic('svc', 'right-0123456789'), client, 0)).toEqual({ method: 'client_secret_basic', client_id: 'svc' });
    expect(authenticator.provedAtOnce(basic('svc', 'wrong-0123456789'), client, 0)).toBeUndefined();
  });
});
