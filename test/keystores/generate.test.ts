import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyFile } from '../../engine/keystores/generate.js';
import { SIGNING_ALGS, type SigningAlg } from '../../engine/keystores/types.js';
import { configError, load, removeTempDirs, signAndVerify, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const PEM = { file: 'key.pem', type: 'pem', password: undefined, header: '-----BEGIN PRIVATE KEY-----' } as const;
const PEM_ENC = { file: 'key.pem', type: 'pem', password: 'pässwörd', header: '-----BEGIN ENCRYPTED PRIVATE KEY-----' } as const;
const P12 = { file: 'key.p12', type: 'pkcs12', password: 'secret', header: undefined } as const;

/**
 * Every alg round trips, each format sees RSA, EC and Ed25519, and ES256/EdDSA every format.
 * (Not the full matrix: RSA key generation is what makes this file slow.)
 */
const CASES = [
  ['RS256', P12, 2048], ['RS384', PEM, 3072], ['RS512', PEM_ENC, 3072],
  ['PS256', PEM_ENC, 2048], ['PS384', P12, 3072], ['PS512', PEM, 3072],
  ['ES256', PEM], ['ES256', PEM_ENC], ['ES256', P12],
  ['ES384', P12], ['ES512', PEM_ENC],
  ['EdDSA', PEM], ['EdDSA', PEM_ENC], ['EdDSA', P12],
] as const satisfies ReadonlyArray<readonly [SigningAlg, typeof PEM | typeof PEM_ENC | typeof P12, number?]>;

describe.concurrent('generateKeyFile', () => {
  it('covers every alg', () => {
    expect(new Set(CASES.map(([alg]) => alg))).toEqual(new Set(SIGNING_ALGS));
  });

  for (const [alg, { file, type, password, header }, rsaBits] of CASES) {
    it(`${alg} → ${type}${password ? ' (encrypted)' : ''} loads back and signs`, async () => {
      const dir = await tempDir();
      const result = await generateKeyFile(alg, join(dir, file), { password });
      expect(result).toMatchObject({ alg, path: join(dir, file) });
      expect((await stat(result.path)).mode & 0o777).toBe(0o600);
      if (header) expect(await readFile(result.path, 'latin1')).toMatch(new RegExp(`^${header}`));

      const ks = await load({ type, path: file, password, alg, ...(type === 'pkcs12' ? { alias: 'signing' } : {}) }, dir);
      expect(ks.kid).toBe(result.kid);
      expect(ks.algorithms).toContain(alg);
      if (rsaBits !== undefined) expect(Buffer.from(String(ks.publicJwk.n), 'base64url').length * 8).toBe(rsaBits);
      await signAndVerify(ks);
    }, 30_000);
  }

  it('never overwrites an existing file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'key.pem');
    await writeFile(path, 'precious');
    await expect(generateKeyFile('ES256', path)).rejects.toThrow(/exists/);
    expect(await readFile(path, 'utf8')).toBe('precious');
  });

  it('PKCS#12 needs a password; the wrong one is reported as such', async () => {
    const dir = await tempDir();
    await expect(generateKeyFile('ES256', join(dir, 'key.pfx'))).rejects.toThrow(/needs a password/);
    await expect(generateKeyFile('ES256', join(dir, 'key.pem'), { password: '' })).rejects.toThrow(/empty/);
    await generateKeyFile('ES256', join(dir, 'key.pfx'), { password: 'secret' });
    await configError(load({ type: 'pkcs12', path: 'key.pfx', password: 'Secret' }, dir), 'keystore_password', ['password']);
    await generateKeyFile('EdDSA', join(dir, 'key.pem'), { password: 'secret' });
    await configError(load({ type: 'pem', path: 'key.pem', password: 'Secret' }, dir), 'keystore_password', ['password']);
  });
});
