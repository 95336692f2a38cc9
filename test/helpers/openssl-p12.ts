/**
 * PKCS#12 files made by openssl, as a FortifiedID operator makes them: a self-signed
 * certificate and its key exported under an alias (`-name`) with a password.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './sluice.js';

export type P12Kind = 'rsa' | 'ec';

const NEW_KEY: Record<P12Kind, string[]> = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
};

/** The bytes of a new PKCS#12 file holding one key of `kind` under `alias`. */
export function opensslP12(kind: P12Kind, options: { alias?: string; password?: string } = {}): Buffer {
  const dir = tempDir();
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const out = join(dir, 'keystore.p12');
  execFileSync('openssl', ['req', '-x509', ...NEW_KEY[kind], '-nodes', '-keyout', key, '-out', cert, '-days', '3650', '-subj', '/CN=jwt'], { stdio: 'pipe' });
  execFileSync('openssl', ['pkcs12', '-export', '-in', cert, '-inkey', key, '-name', options.alias ?? 'jwt', '-out', out, '-passout', `pass:${options.password ?? 'supersecret'}`], { stdio: 'pipe' });
  return readFileSync(out);
}
