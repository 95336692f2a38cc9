/**
 * One client's flood of valid assertions cannot fill the shared replay store for the
 * others (second attack review, M2): each client has a share per lifetime window.
 */
import { describe, expect, it } from 'vitest';
import { ClientAuthenticator, type ClientCredentialsConfig } from '../../../engine/client-auth/authenticate.js';
import { createKeySet } from '../../../engine/jwks/key-set.js';
import { MemoryStore } from '../../../engine/store/memory.js';
import { assertion, ASSERTION_TYPE, rsaKeyPair } from './assertion-kit.js';

describe('client assertion quota', () => {
  it('a client past its 2000 assertions per window gets 503; another client does not', async () => {
    const pair = await rsaKeyPair('k1');
    const context = { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', now: () => Math.floor(Date.now() / 1000), store: new MemoryStore() };
    const keySet = createKeySet({ jwks: { keys: [pair.publicJwk] } });
    const client = (id: string): ClientCredentialsConfig => ({ client_id: id, token_endpoint_auth_method: 'private_key_jwt', secrets: [], keySet });
    const authenticator = new ClientAuthenticator();
    const one = await assertion({ clientId: 'flood', audience: context.issuer, key: pair.privateKey, header: { kid: 'k1' } });
    const presented = (id: string, text: string) => ({ method: 'private_key_jwt', client_id: id, assertionType: ASSERTION_TYPE, assertion: text });
    // Replays of one signed assertion count as presentations too, and cost no signing here.
    for (let i = 0; i < 2000; i++) await authenticator.verify(presented('flood', one), client('flood'), context).catch(() => undefined);
    await expect(authenticator.verify(presented('flood', await assertion({ clientId: 'flood', audience: context.issuer, key: pair.privateKey, header: { kid: 'k1' } })), client('flood'), context))
      .rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503 });
    await expect(authenticator.verify(presented('calm', await assertion({ clientId: 'calm', audience: context.issuer, key: pair.privateKey, header: { kid: 'k1' } })), client('calm'), context))
      .resolves.toEqual({ method: 'private_key_jwt', client_id: 'calm' });
  });
});
