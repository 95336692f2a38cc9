/**
 * The X.509 certificates a key file carries beside its key: CERTIFICATE blocks of a PEM
 * file (RFC 7468 section 5), the certificate bags of a PKCS#12 file (RFC 7292 section 4.2.3;
 * read in pkcs12.ts, with node-forge, which only PKCS#12 keystores load), a JWK's `x5c`
 * chain (RFC 7517 section 4.7). Sluice does not sign with them, but a
 * resource server that checks a key by its certificate stops trusting it when the
 * certificate expires, so `check` warns ahead of that (key-warnings.ts).
 */
import { X509Certificate } from 'node:crypto';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM file; a block that does not parse is skipped (the key is what the file must hold). */
export function pemCertificates(data: Buffer): X509Certificate[] {
  return [...data.toString('latin1').matchAll(CERT_BLOCK)].flatMap((block) => parsed(() => new X509Certificate(block[0])));
}

/** The certificates of the JWK's `x5c`: base64 DER, not base64url (RFC 7517 section 4.7). */
export function x5cCertificates(x5c: unknown): X509Certificate[] {
  if (!Array.isArray(x5c)) return [];
  return x5c.flatMap((der) => (typeof der === 'string' ? parsed(() => new X509Certificate(Buffer.from(der, 'base64'))) : []));
}

/** `make`'s certificate, or none when it does not parse. */
export function parsed(make: () => X509Certificate): X509Certificate[] {
  try {
    return [make()];
  } catch {
    return [];
  }
}
