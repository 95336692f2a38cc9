/**
 * A key with a self-signed certificate, made by openssl, in each form a keystore reads it:
 * PEM (key then certificate), PKCS#12 and a private JWKS whose key carries `x5c`.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/sluice.js';

export interface CertifiedKey {
  pem: string;
  p12: Buffer;
  jwks: string;
  /** The certificate's notAfter, in seconds since the epoch. */
  notAfter: number;
}

export const P12_PASSWORD = 'p12-password';

export function certifiedKey(days: number, commonName = 'signing'): CertifiedKey {
  const dir = tempDir();
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const p12 = join(dir, 'key.p12');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${commonName}`], { stdio: 'pipe' });
  execFileSync('openssl', ['pkcs12', '-export', '-in', cert, '-inkey', key, '-name', 'jwt', '-out', p12, '-passout', `pass:${P12_PASSWORD}`], { stdio: 'pipe' });
  const certificate = new X509Certificate(readFileSync(cert));
  const jwk = { ...createPrivateKey(readFileSync(key)).export({ format: 'jwk' }), kid: commonName, x5c: [certificate.raw.toString('base64')] };
  return {
    pem: readFileSync(key, 'utf8') + readFileSync(cert, 'utf8'),
    p12: readFileSync(p12),
    jwks: JSON.stringify({ keys: [jwk] }),
    notAfter: Date.parse(certificate.validTo) / 1000,
  };
}
