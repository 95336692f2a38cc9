/**
 * Test material for client assertions: key pairs made with jose, self-signed X.509
 * certificates made with node-forge (validity chosen by the test), and assertions signed
 * the way RFC 7523 clients sign them.
 */
import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { exportJWK, SignJWT, type JWK } from 'jose';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

export async function rsaKeyPair(kid: string, bits = 2048): Promise<KeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function ecKeyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}

export interface Certificate {
  pem: string;
  privateKey: KeyObject;
  /** base64url SHA-1 and SHA-256 of the DER (x5t, x5t#S256). */
  x5t: string;
  x5tS256: string;
}

/** A self-signed certificate valid from `notBefore` to `notAfter`. */
export function selfSignedCertificate(commonName: string, notBefore: Date, notAfter: Date): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('hex').slice(0, 16);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  cert.sign(forgeKey, forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return {
    pem,
    privateKey,
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}

export const days = (n: number) => new Date(Date.now() + n * 86_400_000);

export interface AssertionOptions {
  clientId: string;
  audience: string | string[];
  key: KeyObject | Uint8Array;
  alg?: string;
  header?: Record<string, unknown>;
  /** Claims to set or (undefined) remove. */
  claims?: Record<string, unknown>;
  /** Seconds from now. Default 60. */
  expiresIn?: number;
}

export async function assertion(options: AssertionOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: options.clientId,
    sub: options.clientId,
    aud: options.audience,
    jti: randomUUID(),
    iat: now,
    exp: now + (options.expiresIn ?? 60),
    ...options.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'RS256', ...options.header }).sign(options.key);
}

/** An unsecured JWT (RFC 7519 section 6): `alg: none`, no signature. */
export function unsecured(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

export function assertionForm(clientAssertion: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion, ...extra };
}
