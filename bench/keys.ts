/** Signing keys made for one benchmark run: the same key for Sluice (PEM) and the peer (JWK). */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

export const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface SigningKey {
  alg: Algorithm;
  /** PKCS#8 PEM file for Sluice's `pem` keystore. */
  pemFile: string;
  /** The private JWK (with kid, alg, use) for the peer's `jwks`. */
  privateJwk: JWK;
  publicJwk: JWK;
  privateKey: KeyObject;
}

function generate(alg: Algorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ed25519');
}

export async function makeSigningKey(alg: Algorithm, dir: string): Promise<SigningKey> {
  const { privateKey, publicKey } = generate(alg);
  const pemFile = join(dir, `${alg.toLowerCase()}.pem`);
  writeFileSync(pemFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  // The RFC 7638 thumbprint, as Sluice's default kid: both servers then name the key alike.
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    alg,
    pemFile,
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    privateKey,
  };
}
