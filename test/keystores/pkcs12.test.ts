import { afterAll, describe, expect, it } from 'vitest';
import { configError, load, removeTempDirs, signAndVerify, tempFile, thumbprint } from './helpers.js';

afterAll(removeTempDirs);

describe('pkcs12 keystore', () => {
  it.each([
    ['openssl-rsa.p12', 'secret', 'RS256'],
    ['openssl-ec.p12', 'secret', 'ES256'],
    ['openssl-ed25519.p12', 'secret', 'EdDSA'],
    ['openssl-rsa-legacy.p12', 'secret', 'RS256'],
    ['openssl-ec-utf8.p12', 'pässwörd', 'ES256'],
    ['openssl-ec-nomac.p12', 'secret', 'ES256'],
    ['keytool-rsa.p12', 'secret', 'RS256'],
    ['keytool-ec.p12', 'secret', 'ES256'],
  ] as const)('loads %s', async (path, password, alg) => {
    const ks = await load({ type: 'pkcs12', path, password });
    expect(ks.alg).toBe(alg);
    expect(ks.kid).toBe(thumbprint(ks.publicJwk));
    await signAndVerify(ks);
  });

  it('holds the same key as the PEM it was exported from', async () => {
    for (const [p12, pem] of [['openssl-rsa.p12', 'rsa.pem'], ['openssl-rsa-legacy.p12', 'rsa.pem'], ['openssl-ec.p12', 'ec-p256.pem'], ['openssl-ed25519.p12', 'ed25519.pem']]) {
      const a = await load({ type: 'pkcs12', path: p12 ?? '', password: 'secret' });
      const b = await load({ type: 'pem', path: pem ?? '' });
      expect(a.publicJwk).toEqual(b.publicJwk);
    }
  });

  it('picks the key by alias (friendlyName), first by default', async () => {
    const first = await load({ type: 'pkcs12', path: 'keytool-multi.p12', password: 'secret' });
    expect(first.alg).toBe('ES384');
    const second = await load({ type: 'pkcs12', path: 'keytool-multi.p12', password: 'secret', alias: 'second' });
    expect(second.alg).toBe('RS256');
    await signAndVerify(second);
    expect(await load({ type: 'pkcs12', path: 'keytool-multi.p12', password: 'secret', alias: 'first' })).toMatchObject({ kid: first.kid });
    // Java aliases are case-insensitive; so are ours when no exact match exists.
    expect(await load({ type: 'pkcs12', path: 'keytool-multi.p12', password: 'secret', alias: 'SECOND' })).toMatchObject({ kid: second.kid });
  });

  it('unknown alias → keystore_invalid at alias, listing the aliases', async () => {
    const err = await configError(load({ type: 'pkcs12', path: 'keytool-multi.p12', password: 'secret', alias: 'third' }), 'keystore_invalid', ['alias']);
    expect(err.message).toContain("'first', 'second'");
  });

  it.each(['openssl-rsa.p12', 'openssl-ec.p12', 'keytool-ec.p12', 'openssl-rsa-legacy.p12', 'openssl-ec-utf8.p12', 'openssl-ec-nomac.p12'])(
    'wrong password for %s → keystore_password at password', async (path) => {
      const err = await configError(load({ type: 'pkcs12', path, password: 'hunter2' }), 'keystore_password', ['password']);
      expect(err.message).toContain("wrong password for keystore 'ks'");
      expect(err.message).not.toContain('hunter2');
    });

  it('non-ASCII password retried as UTF-8 is still checked', async () => {
    await configError(load({ type: 'pkcs12', path: 'openssl-ec-utf8.p12', password: 'pässwort' }), 'keystore_password', ['password']);
    await configError(load({ type: 'pkcs12', path: 'openssl-ec.p12', password: 'sécret' }), 'keystore_password', ['password']);
  });

  it('missing password → keystore_password', async () => {
    const err = await configError(load({ type: 'pkcs12', path: 'keytool-rsa.p12' }), 'keystore_password', ['password']);
    expect(err.message).toMatch(/set password/);
  });

  it('not a PKCS#12 file → keystore_invalid at path', async () => {
    await configError(load({ type: 'pkcs12', path: 'rsa.pem', password: 'secret' }), 'keystore_invalid', ['path']);
    const f = await tempFile('junk.p12', Buffer.from('3003020103', 'hex'));
    await configError(load({ type: 'pkcs12', path: f.name, password: 'secret' }, f.dir), 'keystore_invalid', ['path']);
  });

  it('config alg must suit the key', async () => {
    await configError(load({ type: 'pkcs12', path: 'keytool-ec.p12', password: 'secret', alg: 'RS256' }), 'keystore_invalid', ['alg']);
    const ks = await load({ type: 'pkcs12', path: 'keytool-rsa.p12', password: 'secret', alg: 'PS512' });
    await signAndVerify(ks);
  });
});
