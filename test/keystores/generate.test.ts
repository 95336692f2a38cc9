import { execFileSync, spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyFile } from '../../engine/keystores/generate.js';
import { SIGNING_ALGS, type SigningAlg } from '../../engine/keystores/types.js';
import { configError, load, removeTempDirs, signAndVerify, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const PEM = { file: 'key.pem', type: 'pem', password: undefined, header: '-----BEGIN PRIVATE KEY-----' } as const;
const PEM_ENC = { file: 'key.pem', type: 'pem', password: 'pässwörd', header: '-----BEGIN ENCRYPTED PRIVATE KEY-----' } as const;
// Non-ASCII on purpose: exercises the UTF-8 PBES2 retry in pkcs12.ts.
const P12 = { file: 'key.p12', type: 'pkcs12', password: 'pässwörd', header: undefined } as const;

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

  // Interop with the tools operators use; skipped where they are not installed.
  const has = (cmd: string, arg: string): boolean => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

  it.skipIf(!has('openssl', 'version'))('openssl reads generated PKCS#12 and PEM files', async () => {
    const dir = await tempDir();
    for (const alg of ['RS256', 'ES512', 'EdDSA'] as const) {
      const p12 = await generateKeyFile(alg, join(dir, `${alg}.p12`), { password: 'pässwörd' });
      const out = execFileSync('openssl', ['pkcs12', '-in', p12.path, '-passin', 'pass:pässwörd', '-nodes'], { encoding: 'utf8', stdio: 'pipe' });
      expect(out).toContain('friendlyName: signing');
      expect(out).toContain('-----BEGIN PRIVATE KEY-----');
      expect(out).toContain('-----BEGIN CERTIFICATE-----');
      const pem = await generateKeyFile(alg, join(dir, `${alg}.pem`), { password: 'pässwörd' });
      execFileSync('openssl', ['pkey', '-in', pem.path, '-passin', 'pass:pässwörd', '-noout'], { stdio: 'pipe' });
    }
  }, 30_000);

  it.skipIf(!has('keytool', '-help'))('Java keytool decrypts and signs with generated PKCS#12 keys', async () => {
    const dir = await tempDir();
    for (const alg of ['PS256', 'ES256', 'EdDSA'] as const) {
      const { path } = await generateKeyFile(alg, join(dir, `${alg}.p12`), { password: 'secret' }); // Java: ASCII only
      // -certreq needs the private key of the PrivateKeyEntry "signing": proves Java decrypts it.
      const args = ['-certreq', '-alias', 'signing', '-storetype', 'PKCS12', '-keystore', path, '-storepass', 'secret'];
      expect(execFileSync('keytool', args, { encoding: 'utf8', stdio: 'pipe' })).toContain('BEGIN NEW CERTIFICATE REQUEST');
    }
  }, 30_000);
});
