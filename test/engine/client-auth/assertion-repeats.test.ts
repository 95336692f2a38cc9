/**
 * What a client's every assertion shares with its previous ones is worked out once
 * (issue 14): the key its header names in an inline key set, its decoded protected
 * header, the hash of its client_id for the quota. Only what verified before is reused:
 * each assertion is still verified in full, a header naming no key fails every time, and
 * what a caller invents does not fill the memory or get past the checks.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeySet } from '../../../engine/jwks/key-set.js';
import { keyObjectsFor } from '../../../engine/jwks/key-objects.js';
import { chargeClientQuota } from '../../../engine/store/client-quota.js';
import { MemoryStore } from '../../../engine/store/memory.js';
import { postToken, serve, type Running } from '../../helpers/sluice.js';
import { assertion, assertionForm, ecKeyPair, rsaKeyPair, type KeyPair } from './assertion-kit.js';

const PARTS = { protected: '', payload: '', signature: '' };
const spki = (key: { export(o: object): string | Buffer }) => key.export({ type: 'spki', format: 'pem' });

describe('an inline key set remembers the keys a header named', () => {
  it('the same keys for the same alg and kid; another set with the same kid has its own', async () => {
    const [a, other] = await Promise.all([ecKeyPair('same'), ecKeyPair('same')]);
    const first = createKeySet({ jwks: { keys: [a.publicJwk] } });
    const second = createKeySet({ jwks: { keys: [other.publicJwk] } });
    const header = { alg: 'ES256', kid: 'same' };
    const once = await keyObjectsFor(first.getKey, header, PARTS);
    expect(await keyObjectsFor(first.getKey, { ...header, typ: 'JWT' }, PARTS)).toBe(once);
    expect(once.map(spki)).toEqual([spki(a.publicKey)]);
    expect((await keyObjectsFor(second.getKey, header, PARTS)).map(spki)).toEqual([spki(other.publicKey)]);
  });

  it('a header naming no key, or the key with an alg it does not fit, fails every time', async () => {
    const a = await rsaKeyPair('a');
    const keys = createKeySet({ jwks: { keys: [a.publicJwk] } });
    expect(await keyObjectsFor(keys.getKey, { alg: 'RS256', kid: 'a' }, PARTS)).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      await expect(Promise.resolve().then(() => keyObjectsFor(keys.getKey, { alg: 'RS256', kid: 'b' }, PARTS))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
      // The JWK says RS256: a PS256 header does not get it, before or after an RS256 one did.
      await expect(Promise.resolve().then(() => keyObjectsFor(keys.getKey, { alg: 'PS256', kid: 'a' }, PARTS))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
      await expect(Promise.resolve().then(() => keyObjectsFor(keys.getKey, { alg: 'RS256', kid: 7 as unknown as string }, PARTS))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    }
  });
});

describe('the client quota counts each client, however many others came between', () => {
  it('a client charged again after 5000 other clients is counted twice', async () => {
    const store = new MemoryStore({ capacity: 10_000 });
    const quota = { kind: 'test', limit: 1, windowSeconds: 60, refusal: 'too many', retryAfterSeconds: 60 };
    await chargeClientQuota(store, 'first', quota);
    for (let i = 0; i < 5000; i++) await chargeClientQuota(store, `other-${i}`, quota);
    await expect(chargeClientQuota(store, 'first', quota)).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503 });
    await expect(chargeClientQuota(store, 'other-4999', quota)).rejects.toMatchObject({ code: 'temporarily_unavailable' });
  });
});

describe('repeated assertions over HTTP: each verified in full', () => {
  let server: Running;
  let signer: KeyPair;
  let stranger: KeyPair;
  beforeAll(async () => {
    [signer, stranger] = await Promise.all([ecKeyPair('k1'), ecKeyPair('k1')]);
    server = await serve(`
keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: repeat
    token_endpoint_auth_method: private_key_jwt
    jwks: ${JSON.stringify({ keys: [signer.publicJwk] })}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
  });
  afterAll(async () => {
    await server?.close();
  });

  const signed = (overrides: Partial<Parameters<typeof assertion>[0]> = {}) =>
    assertion({ clientId: 'repeat', audience: server.url, key: signer.privateKey, alg: 'ES256', header: { kid: 'k1' }, ...overrides });
  const status = async (text: string) => (await postToken(server.url, assertionForm(text))).status;

  it('after good assertions with a header, the same header with a stranger\'s signature, tampered claims or a replay is refused', async () => {
    const good = await signed();
    expect(await status(good)).toBe(200);
    expect(await status(await signed())).toBe(200);
    const forged = await signed({ key: stranger.privateKey });
    expect(forged.split('.')[0]).toBe(good.split('.')[0]);
    expect(await status(forged)).toBe(401);
    const [header, , signature] = (await signed()).split('.');
    const otherClaims = Buffer.from(JSON.stringify({ iss: 'repeat', sub: 'repeat', aud: server.url, jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    expect(await status(`${header}.${otherClaims}.${signature}`)).toBe(401);
    expect(await status(good)).toBe(401);
    expect(await status(await signed())).toBe(200);
  });

  it('a header naming an unknown kid is refused each time, also between good ones', async () => {
    for (let i = 0; i < 2; i++) {
      expect(await status(await signed({ header: { kid: 'nope' } }))).toBe(401);
      expect(await status(await signed())).toBe(200);
    }
    const line = server.logs.lines.filter((l) => l.event === 'token' && l.outcome !== 'issued').at(-1)!;
    expect(line.reason).toBe('assertion_invalid');
  });

  it('a header that does not decode is refused each time, and the one after it still decodes', async () => {
    const [, payload, signature] = (await signed()).split('.');
    for (const header of ['e30', 'bm90IGpzb24', '%%%', 'W10']) {
      for (let i = 0; i < 2; i++) expect(await status(`${header}.${payload}.${signature}`)).toBe(401);
    }
    expect(await status(await signed())).toBe(200);
  });
});
