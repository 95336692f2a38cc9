/**
 * Certificate credentials as Microsoft Entra ID uses them: the client registers X.509
 * certificates, signs its assertion with the private key and names the certificate in
 * the assertion's header by thumbprint (`x5t#S256`, RFC 7515 section 4.1.8; or `x5t`,
 * SHA-1, section 4.1.7; some libraries put the thumbprint in `kid`). Parsed once at load.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { MIN_RSA_BITS } from '../../keystores/algs.js';

export interface ClientCertificate {
  /** base64url SHA-256 of the DER. */
  readonly x5tS256: string;
  /** base64url SHA-1 of the DER. */
  readonly x5t: string;
  /** hex SHA-1, as Windows shows a thumbprint (any case). */
  readonly hexSha1: string;
  readonly publicKey: KeyObject;
  /** Milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly subject: string;
}

/** A certificate, or a human reason why it cannot be one. */
export function parseCertificate(pem: string): ClientCertificate | string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    return `not a PEM X.509 certificate (${(error as Error).message})`;
  }
  const publicKey = cert.publicKey;
  const bits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (publicKey.asymmetricKeyType === 'rsa' && (bits ?? 0) < MIN_RSA_BITS) {
    return `its RSA key is ${bits ?? '?'} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 section 3.3)`;
  }
  const der = cert.raw;
  const sha1 = createHash('sha1').update(der).digest();
  return {
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    x5t: sha1.toString('base64url'),
    hexSha1: sha1.toString('hex'),
    publicKey,
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    subject: cert.subject.replace(/\n/g, ', '),
  };
}

/** The certificate a protected header names, if any. */
export function certificateFor(header: Record<string, unknown>, certificates: readonly ClientCertificate[]): ClientCertificate | undefined {
  const s256 = header['x5t#S256'];
  const sha1 = header.x5t;
  const kid = header.kid;
  return certificates.find((c) =>
    (typeof s256 === 'string' && s256 === c.x5tS256) ||
    (typeof sha1 === 'string' && sha1 === c.x5t) ||
    (typeof kid === 'string' && (kid === c.x5tS256 || kid === c.x5t || kid.toLowerCase() === c.hexSha1)));
}

/** Whether the header names a certificate at all (then only a certificate may verify it). */
export function namesCertificate(header: Record<string, unknown>): boolean {
  return header['x5t#S256'] !== undefined || header.x5t !== undefined;
}
