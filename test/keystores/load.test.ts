import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configError, FIXTURES, load, removeTempDirs, signAndVerify, tempDir, thumbprint } from './helpers.js';

afterAll(removeTempDirs);

describe('loadKeystore: files', () => {
  it.each(['pem', 'pkcs12', 'jwks'] as const)('%s without path → keystore_invalid at []', async (type) => {
    const err = await configError(load({ type }), 'keystore_invalid', []);
    expect(err.message).toContain('needs a path');
  });

  it.each(['pem', 'pkcs12', 'jwks'] as const)('%s with a missing file → file_unreadable at path, naming file and reason', async (type) => {
    const err = await configError(load({ type, path: 'nope/missing.key', password: 'x' }), 'file_unreadable', ['path']);
    expect(err.message).toContain(join(FIXTURES, 'nope/missing.key'));
    expect(err.message).toContain('ENOENT');
  });

  it('a directory → file_unreadable', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'keys'));
    const err = await configError(load({ type: 'pem', path: 'keys' }, dir), 'file_unreadable', ['path']);
    expect(err.message).toContain('not a regular file');
  });
});

describe('loadKeystore: generated', () => {
  it('defaults to ES256 with a fresh key each time', async () => {
    const a = await load({ type: 'generated' });
    const b = await load({ type: 'generated' });
    expect(a.alg).toBe('ES256');
    expect(a.publicJwk.crv).toBe('P-256');
    expect(a.kid).toBe(thumbprint(a.publicJwk));
    expect(a.kid).not.toBe(b.kid);
    expect(a.publish).toBe(true);
    await signAndVerify(a);
  });

  // One per key type and curve (RSA generation is slow); every alg's signing is in sign.test.ts.
  it.each(['RS256', 'PS384', 'ES384', 'ES512', 'EdDSA'] as const)('generates a key for %s', async (alg) => {
    const ks = await load({ type: 'generated', alg });
    expect(ks.alg).toBe(alg);
    expect(ks.publicJwk.alg).toBe(alg);
    await signAndVerify(ks);
  });
});
