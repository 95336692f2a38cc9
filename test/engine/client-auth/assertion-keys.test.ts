/**
 * The keys client assertions verify with (issue 14): a key set's JWKs become KeyObjects
 * once, not per request, and a jwks_uri refetch that replaces a key under the same kid
 * is followed at once; a key only checks the algs its type, curve and size fit (a
 * certificate's key is not filtered by the key set, so this is its only guard).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signatureVerifies } from '../../../engine/client-auth/assertion/signature.js';
import { createKeySet } from '../../../engine/jwks/key-set.js';
import { keyObjectsFor } from '../../../engine/jwks/key-objects.js';
import { RemoteKeySet } from '../../../engine/jwks/remote.js';
import { createServer as createSluiceServer } from '../../../engine/http/server.js';
import { freePort, load, postToken } from '../../helpers/sluice.js';
import { assertion, assertionForm, ecKeyPair, rsaKeyPair, type KeyPair } from './assertion-kit.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const PARTS = { protected: '', payload: '', signature: '' };
const spki = (key: { export(o: object): string | Buffer }) => key.export({ type: 'spki', format: 'pem' });

describe('key sets as KeyObjects', () => {
  it('the same KeyObject for every request with the same header (imported once)', async () => {
    const a = await rsaKeyPair('a');
    const keys = createKeySet({ jwks: { keys: [a.publicJwk] } });
    const [first] = await keyObjectsFor(keys.getKey, { alg: 'RS256', kid: 'a' }, PARTS);
    const [again] = await keyObjectsFor(keys.getKey, { alg: 'RS256', kid: 'a' }, PARTS);
    expect(again).toBe(first);
    expect(spki(first!)).toEqual(spki(a.publicKey));
  });

  it('a header without kid gets every key that fits it, and none of another type', async () => {
    const [a, b] = await Promise.all([rsaKeyPair('a'), rsaKeyPair('b')]);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const strip = ({ kid: _kid, alg: _alg, ...jwk }: Record<string, unknown>) => jwk;
    const keys = createKeySet({ jwks: { keys: [strip(a.publicJwk), strip(b.publicJwk), ec] } as never });
    const found = await keyObjectsFor(keys.getKey, { alg: 'RS256' }, PARTS);
    expect(found.map(spki)).toEqual([spki(a.publicKey), spki(b.publicKey)]);
  });

  it('a jwks_uri that replaces the key under the same kid: once refetched, the new key, not the old', async () => {
    const [before, after] = await Promise.all([rsaKeyPair('same'), rsaKeyPair('same')]);
    const state = { keys: [before.publicJwk] };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify(state));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    let clock = 1_000_000;
    const keys = new RemoteKeySet(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, { now: () => clock });
    const header = { alg: 'RS256', kid: 'same' };
    expect((await keyObjectsFor(keys.getKey, header, PARTS)).map(spki)).toEqual([spki(before.publicKey)]);
    state.keys = [after.publicJwk];
    clock += 301_000; // past max-age
    expect((await keyObjectsFor(keys.getKey, header, PARTS)).map(spki)).toEqual([spki(after.publicKey)]);
    expect(keys.fetches).toBe(2);
  });
});

describe('a reload that replaces a client\'s inline key under the same kid', () => {
  it('the new key authenticates and the old one no longer does: no KeyObject outlives its config', async () => {
    const [before, after] = await Promise.all([ecKeyPair('same'), ecKeyPair('same')]);
    const config = (pair: KeyPair) => `
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - client_id: keyed
    token_endpoint_auth_method: private_key_jwt
    jwks: { keys: [${JSON.stringify(pair.publicJwk)}] }
    client_credentials_pipe_id: m2m
pipes:
  - { id: m2m, valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
`;
    const port = await freePort();
    const engineFor = async (pair: KeyPair) => {
      const { engine, diagnostics } = await load(config(pair), { port });
      if (!engine) throw new Error(JSON.stringify(diagnostics));
      return engine;
    };
    const holder = { current: await engineFor(before) };
    const app = createSluiceServer(holder);
    await app.listen({ host: '127.0.0.1', port });
    closers.push(() => app.close());
    const url = `http://127.0.0.1:${port}`;
    const signedBy = (pair: KeyPair) => assertion({ clientId: 'keyed', audience: holder.current.issuer, alg: 'ES256', key: pair.privateKey, header: { kid: 'same' } });
    expect((await postToken(url, assertionForm(await signedBy(before)))).status).toBe(200);
    holder.current = await engineFor(after);
    expect((await postToken(url, assertionForm(await signedBy(after)))).status).toBe(200);
    expect((await postToken(url, assertionForm(await signedBy(before)))).status).toBe(401);
  });
});

describe('a key checks only the algs it fits (RFC 7518 section 3)', () => {
  const data = Buffer.from('header.claims');
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ed = generateKeyPairSync('ed25519');

  it('a genuine signature verifies; the same with a flipped bit does not', async () => {
    const signature = sign('sha256', data, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' });
    await expect(signatureVerifies('ES256', p256.publicKey, data, signature)).resolves.toBe(true);
    signature[5]! ^= 1;
    await expect(signatureVerifies('ES256', p256.publicKey, data, signature)).resolves.toBe(false);
    const edSignature = sign(null, data, ed.privateKey);
    await expect(signatureVerifies('EdDSA', ed.publicKey, data, edSignature)).resolves.toBe(true);
  });

  it.each([
    ['ES256', 'a P-384 key', () => p384.publicKey],
    ['ES384', 'a P-256 key', () => p256.publicKey],
    ['RS256', 'an EC key', () => p256.publicKey],
    ['PS256', 'an RSA key under 2048 bits', () => rsa1024.publicKey],
    ['EdDSA', 'an EC key', () => p256.publicKey],
    ['ES256', 'a private key', () => p256.privateKey],
    ['HS256', 'a public key', () => p256.publicKey],
    ['ES256', 'a shared secret', () => Buffer.alloc(32)],
    ['none', 'any key', () => p256.publicKey],
  ])('%s with %s is refused, whatever the signature', async (alg, _what, key) => {
    await expect(async () => signatureVerifies(alg, key(), data, Buffer.alloc(64))).rejects.toThrow();
  });

  it('HS256: the right HMAC verifies; another secret\'s, or one cut short, does not', async () => {
    const secret = Buffer.from('s'.repeat(32));
    const mac = createHmac('sha256', secret).update(data).digest();
    await expect(signatureVerifies('HS256', secret, data, mac)).resolves.toBe(true);
    await expect(signatureVerifies('HS256', Buffer.from('t'.repeat(32)), data, mac)).resolves.toBe(false);
    await expect(signatureVerifies('HS256', secret, data, mac.subarray(0, 31))).resolves.toBe(false);
  });
});
