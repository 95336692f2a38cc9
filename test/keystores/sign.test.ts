import { constants, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { SIGNING_ALGS, type SigningAlg } from '../../engine/keystores/types.js';
import { load, signAndVerify, thumbprint } from './helpers.js';

const RSA: SigningAlg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

describe('keystore signing', () => {
  it('RSA keys offer RS* and PS*; each verifies with jose', async () => {
    const ks = await load({ type: 'pem', path: 'rsa.pem' });
    expect([...ks.algorithms].sort()).toEqual([...RSA].sort());
    for (const alg of RSA) await signAndVerify(ks, alg);
  });

  it.each([
    ['ec-p256.pem', 'ES256', 64],
    ['ec-p384.pem', 'ES384', 96],
    ['ec-p521.pem', 'ES512', 132],
    ['ed25519.pem', 'EdDSA', 64],
  ] as const)('%s signs %s only, with a %i-byte raw signature (RFC 7518 §3.4, RFC 8037 §3.1)', async (path, alg, size) => {
    const ks = await load({ type: 'pem', path });
    expect(ks.algorithms).toEqual([alg]);
    await signAndVerify(ks);
    const jws = await ks.sign({ a: 1 });
    expect(Buffer.from(jws.split('.')[2] ?? '', 'base64url')).toHaveLength(size);
  });

  it('covers every SigningAlg', async () => {
    const keys = await Promise.all(['rsa.pem', 'ec-p256.pem', 'ec-p384.pem', 'ec-p521.pem', 'ed25519.pem'].map((path) => load({ type: 'pem', path })));
    expect(new Set(keys.flatMap((k) => k.algorithms))).toEqual(new Set(SIGNING_ALGS));
  });

  it('PS* uses a salt as long as the hash (RFC 7518 §3.5)', async () => {
    const ks = await load({ type: 'pem', path: 'rsa.pem' });
    const jws = await ks.sign({ a: 1 }, undefined, 'PS384');
    const [h, p, s] = jws.split('.') as [string, string, string];
    const key = createPublicKey({ key: ks.publicJwk as JsonWebKey, format: 'jwk' });
    const ok = (saltLength: number): boolean => verify('sha384', Buffer.from(`${h}.${p}`), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(s, 'base64url'));
    expect(ok(48)).toBe(true);
    expect(ok(32)).toBe(false);
  });

  it('forces alg and kid in the header and keeps the caller\'s other members', async () => {
    const ks = await load({ type: 'pem', path: 'ec-p256.pem' });
    const jws = await ks.sign({ sub: 'x' }, { typ: 'JWT', alg: 'none', kid: 'evil', x5u: 'https://x' });
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', kid: ks.kid, typ: 'JWT', x5u: 'https://x' });
    expect(decodeProtectedHeader(await ks.sign({ sub: 'x' }))).toEqual({ alg: 'ES256', kid: ks.kid });
  });

  it('refuses an alg the key cannot sign with', async () => {
    const ks = await load({ type: 'pem', path: 'ec-p256.pem' });
    await expect(ks.sign({}, undefined, 'RS256')).rejects.toThrow(/cannot sign with RS256/);
  });

  it('kid defaults to the RFC 7638 thumbprint; config kid, alg and publish override', async () => {
    const plain = await load({ type: 'pem', path: 'rsa.pem' });
    expect(plain.kid).toBe(thumbprint(plain.publicJwk));
    expect(Object.keys(plain.publicJwk).sort()).toEqual(['e', 'kid', 'kty', 'n', 'use']);

    const ks = await load({ type: 'pem', path: 'rsa.pem', kid: 'key-2024', alg: 'PS256', publish: false });
    expect(ks.kid).toBe('key-2024');
    expect(ks.alg).toBe('PS256');
    expect(ks.publish).toBe(false);
    expect(ks.publicJwk).toMatchObject({ kid: 'key-2024', alg: 'PS256', use: 'sig' });
    const { protectedHeader } = await signAndVerify(ks);
    expect(protectedHeader.alg).toBe('PS256');
  });

  it('publicJwk is frozen and has no private members', async () => {
    const ks = await load({ type: 'pem', path: 'rsa.pem' });
    expect(Object.isFrozen(ks.publicJwk)).toBe(true);
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(ks.publicJwk).not.toHaveProperty(m);
    expect(JSON.stringify(ks)).not.toMatch(/PRIVATE|"d"/);
  });

  it('signs many tokens quickly (ES256)', async () => {
    const ks = await load({ type: 'pem', path: 'ec-p256.pem' });
    const key = await importJWK(ks.publicJwk, 'ES256');
    const start = performance.now();
    const tokens = await Promise.all(Array.from({ length: 500 }, (_, i) => ks.sign({ jti: String(i) })));
    const elapsed = performance.now() - start;
    expect(elapsed).toBeLessThan(2000); // ~30 µs each in practice; generous for slow CI
    await jwtVerify(tokens[499] ?? '', key);
  });
});

describe('keystore.signer: a header fixed at load', () => {
  it('encodes the header once with alg and kid forced, and each token verifies with jose', async () => {
    const ks = await load({ type: 'pem', path: 'ec-p256.pem' });
    const sign = ks.signer({ typ: 'at+jwt', alg: 'none', kid: 'evil', cty: 'x' });
    const key = await importJWK(ks.publicJwk, 'ES256');
    const tokens = await Promise.all([sign({ n: 1 }), sign({ n: 2 })]);
    for (const [i, token] of tokens.entries()) {
      const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: ['ES256'] });
      expect(protectedHeader).toEqual({ alg: 'ES256', kid: ks.kid, typ: 'at+jwt', cty: 'x' });
      expect(payload).toEqual({ n: i + 1 });
    }
    // The same header text as sign() with the same header object makes.
    expect(tokens[0]!.split('.')[0]).toBe((await ks.sign({ n: 1 }, { typ: 'at+jwt', cty: 'x' })).split('.')[0]);
  });

  it('throws at once for an alg the key cannot sign with', async () => {
    const ks = await load({ type: 'pem', path: 'rsa.pem' });
    expect(() => ks.signer(undefined, 'ES256')).toThrow(/cannot sign with ES256/);
  });

  it.each([
    ['rsa.pem', 'RS256', 256],
    ['rsa.pem', 'PS256', 256],
    ['ec-p256.pem', 'ES256', 64],
    ['ed25519.pem', 'EdDSA', 64],
  ] as const)('%s %s: many concurrent signatures (threadpool) all verify, each in JOSE form (%i bytes)', async (path, alg, size) => {
    const ks = await load({ type: 'pem', path });
    const sign = ks.signer({ typ: 'at+jwt' }, alg);
    const key = await importJWK(ks.publicJwk, alg);
    const tokens = await Promise.all(Array.from({ length: 64 }, (_, i) => sign({ i })));
    for (const [i, token] of tokens.entries()) {
      const { payload } = await jwtVerify(token, key, { algorithms: [alg] });
      expect(payload.i).toBe(i);
      // ES256: R||S (IEEE P1363), not DER (RFC 7518 section 3.4).
      expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(size);
    }
  });
});
