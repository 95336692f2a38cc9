import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configError, FIXTURES, load, removeTempDirs, signAndVerify, tempFile, thumbprint } from './helpers.js';

afterAll(removeTempDirs);

describe('pem keystore', () => {
  it.each([
    ['rsa.pem', undefined, 'RSA', 'RS256'],
    ['rsa-pkcs1.pem', undefined, 'RSA', 'RS256'],
    ['rsa-pkcs1-encrypted.pem', 'secret', 'RSA', 'RS256'],
    ['rsa-with-cert.pem', undefined, 'RSA', 'RS256'],
    ['ec-p256.pem', undefined, 'EC', 'ES256'],
    ['ec-p256-sec1.pem', undefined, 'EC', 'ES256'],
    ['ec-p256-encrypted.pem', 'secret', 'EC', 'ES256'],
    ['ec-p384.pem', undefined, 'EC', 'ES384'],
    ['ec-p521.pem', undefined, 'EC', 'ES512'],
    ['ed25519.pem', undefined, 'OKP', 'EdDSA'],
  ] as const)('loads %s', async (path, password, kty, alg) => {
    const ks = await load({ type: 'pem', path, password });
    expect(ks.id).toBe('ks');
    expect(ks.alg).toBe(alg);
    expect(ks.publish).toBe(true);
    expect(ks.publicJwk.kty).toBe(kty);
    expect(ks.publicJwk).not.toHaveProperty('d');
    expect(ks.publicJwk).not.toHaveProperty('alg');
    expect(ks.publicJwk.use).toBe('sig');
    expect(ks.kid).toBe(thumbprint(ks.publicJwk));
    expect(ks.publicJwk.kid).toBe(ks.kid);
    await signAndVerify(ks);
  });

  it('reads the same key from PKCS#8, PKCS#1, SEC1 and with a certificate', async () => {
    const rsa = await Promise.all(['rsa.pem', 'rsa-pkcs1.pem', 'rsa-with-cert.pem'].map((path) => load({ type: 'pem', path })));
    expect(new Set(rsa.map((k) => k.kid)).size).toBe(1);
    const ec = await Promise.all(['ec-p256.pem', 'ec-p256-sec1.pem'].map((path) => load({ type: 'pem', path })));
    expect(ec[0]?.kid).toBe(ec[1]?.kid);
  });

  it('resolves a relative path against baseDir and takes an absolute one as is', async () => {
    const rel = await load({ type: 'pem', path: 'fixtures/ed25519.pem' }, join(FIXTURES, '..'));
    const abs = await load({ type: 'pem', path: join(FIXTURES, 'ed25519.pem') }, '/nonexistent');
    expect(rel.kid).toBe(abs.kid);
  });

  it('wrong password → keystore_password at password, without echoing it', async () => {
    const err = await configError(load({ type: 'pem', path: 'ec-p256-encrypted.pem', password: 'hunter2' }), 'keystore_password', ['password']);
    expect(err.message).toContain("wrong password for keystore 'ks'");
    expect(err.message).not.toContain('hunter2');
    await configError(load({ type: 'pem', path: 'rsa-pkcs1-encrypted.pem', password: 'hunter2' }), 'keystore_password', ['password']);
  });

  it('missing password for an encrypted key → keystore_password', async () => {
    const err = await configError(load({ type: 'pem', path: 'ec-p256-encrypted.pem' }), 'keystore_password', ['password']);
    expect(err.message).toMatch(/encrypted/);
  });

  it('rejects weak RSA, non-signing and unsupported curves at path', async () => {
    const weak = await configError(load({ type: 'pem', path: 'rsa-1024.pem' }), 'keystore_invalid', ['path']);
    expect(weak.message).toMatch(/1024 bits/);
    const x25519 = await configError(load({ type: 'pem', path: 'x25519.pem' }), 'keystore_invalid', ['path']);
    expect(x25519.message).toMatch(/x25519/);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const f = await tempFile('k1.pem', k1);
    const err = await configError(load({ type: 'pem', path: f.name }, f.dir), 'keystore_invalid', ['path']);
    expect(err.message).toMatch(/secp256k1/);
  });

  it('rejects files without exactly one private key at path', async () => {
    const cert = (await readFile(join(FIXTURES, 'rsa-with-cert.pem'), 'latin1')).split('-----BEGIN PRIVATE KEY')[0] ?? '';
    const pub = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
    const two = (await readFile(join(FIXTURES, 'ed25519.pem'), 'latin1')).repeat(2);
    const broken = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const cases: Array<[string, string]> = [['cert.pem', cert], ['pub.pem', String(pub)], ['two.pem', two], ['broken.pem', broken], ['empty.pem', '']];
    for (const [name, content] of cases) {
      const f = await tempFile(name, content);
      await configError(load({ type: 'pem', path: f.name }, f.dir), 'keystore_invalid', ['path']);
    }
  });

  it('rejects a config alg that does not suit the key at alg', async () => {
    const err = await configError(load({ type: 'pem', path: 'ec-p256.pem', alg: 'ES384' }), 'keystore_invalid', ['alg']);
    expect(err.message).toMatch(/ES256/);
    await configError(load({ type: 'pem', path: 'rsa.pem', alg: 'EdDSA' }), 'keystore_invalid', ['alg']);
  });
});
