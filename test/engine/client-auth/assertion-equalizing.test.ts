/**
 * A failed client assertion costs one key derivation, like every other failed client
 * authentication: a stranger cannot tell an unknown client_id from a private_key_jwt
 * client by the time the answer takes. A valid assertion costs none.
 */
import { describe, expect, it } from 'vitest';
import { ClientAuthenticator, type ClientCredentialsConfig } from '../../../engine/client-auth/authenticate.js';
import { FairLimiter, type WorkOwner } from '../../../engine/client-auth/fair-limiter.js';
import { createKeySet } from '../../../engine/jwks/key-set.js';
import { MemoryStore } from '../../../engine/store/memory.js';
import { assertion, ASSERTION_TYPE, rsaKeyPair } from './assertion-kit.js';

class CountingLimiter extends FairLimiter {
  readonly runs: string[] = [];
  override run<T>(owner: WorkOwner, task: () => Promise<T>): Promise<T> {
    this.runs.push(owner.client);
    return super.run(owner, task);
  }
}

describe('client assertions and the cost of failing', () => {
  it('an unknown client and a bad assertion for a known one each cost one derivation; a good one none', async () => {
    const pair = await rsaKeyPair('k1');
    const other = await rsaKeyPair('k1');
    const context = { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', now: () => Math.floor(Date.now() / 1000), store: new MemoryStore(), equalizeWith: { ln: 10, r: 8, p: 1 } }; // as if the config held a hashed secret
    const client: ClientCredentialsConfig = { client_id: 'keyed', token_endpoint_auth_method: 'private_key_jwt', secrets: [], keySet: createKeySet({ jwks: { keys: [pair.publicJwk] } }) };
    const limiter = new CountingLimiter();
    const authenticator = new ClientAuthenticator(limiter);
    const presented = async (clientId: string, key = pair) => ({
      method: 'private_key_jwt',
      client_id: clientId,
      assertionType: ASSERTION_TYPE,
      assertion: await assertion({ clientId, audience: context.issuer, key: key.privateKey, header: { kid: 'k1' } }),
    });
    await expect(authenticator.verify(await presented('nobody'), undefined, context)).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(authenticator.verify(await presented('keyed', other), client, context)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(limiter.runs).toEqual(['nobody', 'keyed']);
    await expect(authenticator.verify(await presented('keyed'), client, context)).resolves.toEqual({ method: 'private_key_jwt', client_id: 'keyed' });
    expect(limiter.runs).toHaveLength(2);
  });
});
