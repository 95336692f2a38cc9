import { generateKeyPair, type KeyObject } from 'node:crypto';
import type { SigningAlg } from './types.js';

/** JWS alg → the curve it fixes (RFC 7518 §3.4). */
const CURVE: Partial<Record<SigningAlg, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/**
 * A fresh private key for `alg`. The `generated` keystore (dev only: the key dies with the
 * process, so tokens do not survive a restart) uses 2048-bit RSA for a quick start.
 */
export function newPrivateKey(alg: SigningAlg, rsaBits = 2048): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void => {
      if (err) reject(err);
      else resolve(privateKey);
    };
    const namedCurve = CURVE[alg];
    if (alg === 'EdDSA') generateKeyPair('ed25519', {}, done);
    else if (namedCurve !== undefined) generateKeyPair('ec', { namedCurve }, done);
    else generateKeyPair('rsa', { modulusLength: rsaBits }, done);
  });
}
