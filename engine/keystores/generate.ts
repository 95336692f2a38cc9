import { createPublicKey, type KeyObject } from 'node:crypto';
import { access, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { newPrivateKey } from './generated.js';
import { buildPfx, encryptPkcs8, selfSignedCert } from './pfx.js';
import type { SigningAlg } from './types.js';

/**
 * RSA modulus per alg for keys that persist. 2048 bits is the RFC 7518 §3.3 floor (112-bit
 * strength, NIST SP 800-57 Pt 1 Table 2) and serves RS256/PS256. Whoever picks a longer hash
 * asks for margin: 3072 bits (128-bit strength). Not 4096: it signs ~2.5x slower than 3072
 * for a gain no JWS hash needs, and a token server signs on every request.
 */
const RSA_BITS: Partial<Record<SigningAlg, number>> = { RS384: 3072, PS384: 3072, RS512: 3072, PS512: 3072 };

/**
 * PBKDF2 rounds. Encrypted PEM is decrypted by native OpenSSL, so it can afford many.
 * PKCS#12 is decrypted by forge in plain JS at load (MAC KDF + PBKDF2): 10 000, as Java 17.
 */
const PEM_ITERATIONS = 200_000;
const P12_ITERATIONS = 10_000;

/** friendlyName of the key in generated PKCS#12 files: the keystore's `alias`. */
export const P12_ALIAS = 'signing';

function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

async function encode(key: KeyObject, p12: boolean, password: string | undefined): Promise<Buffer | string> {
  if (password === '') throw new Error('the password is empty; give a real one, or none for a plain PEM file');
  if (p12) {
    // A PFX without a password would carry the key in clear and no MAC; ask for one instead.
    if (password === undefined) throw new Error('a PKCS#12 file needs a password');
    return buildPfx(key, selfSignedCert(key, 'Sluice signing key'), password, P12_ALIAS, P12_ITERATIONS);
  }
  if (password === undefined) return key.export({ type: 'pkcs8', format: 'pem' });
  return pem('ENCRYPTED PRIVATE KEY', await encryptPkcs8(key, password, PEM_ITERATIONS)); // RFC 7468 §11
}

/**
 * Writes a new signing key for `alg`: PKCS#12 for .p12/.pfx (alias "signing", with a
 * self-signed certificate), else PKCS#8 PEM, encrypted when a password is given.
 * Readable by owner only; an existing file is never replaced.
 */
export async function generateKeyFile(
  alg: SigningAlg,
  outFile: string,
  options: { password?: string } = {},
): Promise<{ kid: string; alg: SigningAlg; path: string }> {
  const path = resolve(outFile);
  const p12 = ['.p12', '.pfx'].includes(extname(path).toLowerCase());
  // Fail before the (slow) key generation; the 'wx' write below is the race-free check.
  if (await access(path).then(() => true, () => false)) throw new Error(`${path} exists; not overwriting it`);
  // The write would fail with a bare ENOENT after the key was made; say which directory is missing.
  const dir = dirname(path);
  if (!(await access(dir).then(() => true, () => false))) throw new Error(`${dir}: no such directory; create it first (mkdir -p ${dir})`);
  const key = await newPrivateKey(alg, RSA_BITS[alg] ?? 2048);
  const data = await encode(key, p12, options.password);
  try {
    // 'wx' = O_CREAT|O_EXCL: fails if the file exists, without a check-then-write race.
    await writeFile(path, data, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${path} exists; not overwriting it`, { cause: err });
    throw err;
  }
  // Same default kid as loadKeystore: the RFC 7638 thumbprint.
  const kid = await calculateJwkThumbprint(createPublicKey(key).export({ format: 'jwk' }) as JWK, 'sha256');
  return { kid, alg, path };
}
