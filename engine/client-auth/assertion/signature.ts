/**
 * A JWS signature check with node:crypto (RFC 7518 section 3), for client assertions.
 * jose's jwtVerify goes through WebCrypto, which on Node costs more main-thread time in
 * argument normalisation and job setup than the signature check itself; here the key is
 * a KeyObject prepared once, and the check runs on libuv's threadpool (crypto.verify
 * with a callback), as signing does (keystores/algs.ts), so the event loop goes on
 * parsing and answering other requests meanwhile.
 *
 *  - RS*: RSASSA-PKCS1-v1_5 (section 3.3); PS*: RSASSA-PSS, MGF1 on the same hash, salt
 *    length = hash length (section 3.5); RSA keys of at least 2048 bits (section 3.3).
 *  - ES*: R||S of fixed width (section 3.4), on the curve the alg names.
 *  - EdDSA: Ed25519 or Ed448, no digest (RFC 8037 section 3.1).
 *  - HS*: the HMAC compared in constant time (section 3.2).
 */
import { constants, createHmac, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { MIN_RSA_BITS } from '../../keystores/algs.js';

/** A public key, or (HS*) the shared secret's bytes. */
export type VerifyingKey = KeyObject | Uint8Array;

/** RFC 7518 section 3.4: the curve of each ES* alg (node's names) and its R||S width in bytes. */
const EC_CURVES: Readonly<Record<string, { readonly curve: string; readonly signatureBytes: number }>> = {
  ES256: { curve: 'prime256v1', signatureBytes: 64 },
  ES384: { curve: 'secp384r1', signatureBytes: 96 },
  ES512: { curve: 'secp521r1', signatureBytes: 132 },
};

/** Why `key` cannot check `alg` signatures, worked out once per key and alg. */
const fitness = new WeakMap<KeyObject, Map<string, string | undefined>>();

export function keyMisfit(key: KeyObject, alg: string): string | undefined {
  let byAlg = fitness.get(key);
  if (!byAlg) fitness.set(key, (byAlg = new Map()));
  if (!byAlg.has(alg)) byAlg.set(alg, misfit(key, alg));
  return byAlg.get(alg);
}

function misfit(key: KeyObject, alg: string): string | undefined {
  if (key.type !== 'public') return `a ${key.type} key cannot verify ${alg}`;
  const type = key.asymmetricKeyType;
  const family = alg.slice(0, 2);
  if (family === 'RS' || family === 'PS') {
    if (type !== 'rsa') return `${alg} needs an RSA key, not ${type}`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits < MIN_RSA_BITS ? `${alg} needs an RSA key of at least ${MIN_RSA_BITS} bits, not ${bits}` : undefined;
  }
  const ec = EC_CURVES[alg];
  if (ec) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === ec.curve ? undefined : `${alg} needs an EC ${ec.curve} key`;
  if (alg === 'EdDSA') return type === 'ed25519' || type === 'ed448' ? undefined : `EdDSA needs an Ed25519 or Ed448 key, not ${type}`;
  return `${alg} is not a signature alg this server verifies`;
}

/**
 * Whether `signature` is `alg`'s signature of `signingInput` by `key`. A key that does
 * not fit the alg throws (a configuration problem, not a wrong signature); a malformed
 * signature is a wrong one.
 */
export function signatureVerifies(alg: string, key: VerifyingKey, signingInput: Buffer, signature: Buffer): Promise<boolean> {
  if (/^HS(256|384|512)$/.test(alg)) return Promise.resolve(hmacVerifies(`sha${alg.slice(2)}`, key, signingInput, signature));
  if (key instanceof Uint8Array) throw new Error(`a shared secret cannot verify ${alg}`);
  const problem = keyMisfit(key, alg);
  if (problem) throw new Error(problem);
  if (alg === 'EdDSA') return verifyOffLoop(null, signingInput, key, signature);
  const digest = `sha${alg.slice(2)}`;
  if (alg.startsWith('RS')) return verifyOffLoop(digest, signingInput, key, signature);
  if (alg.startsWith('PS')) return verifyOffLoop(digest, signingInput, pssOptions(key), signature);
  if (signature.length !== EC_CURVES[alg]!.signatureBytes) return Promise.resolve(false);
  return verifyOffLoop(digest, signingInput, ecOptions(key), signature);
}

/**
 * node:crypto's options for a key, made once per key rather than per request: the same
 * object each time, as nothing in it depends on the request.
 */
const ecVerifyOptions = new WeakMap<KeyObject, { key: KeyObject; dsaEncoding: 'ieee-p1363' }>();
const pssVerifyOptions = new WeakMap<KeyObject, { key: KeyObject; padding: number; saltLength: number }>();

function ecOptions(key: KeyObject): { key: KeyObject; dsaEncoding: 'ieee-p1363' } {
  let options = ecVerifyOptions.get(key);
  if (!options) ecVerifyOptions.set(key, (options = Object.freeze({ key, dsaEncoding: 'ieee-p1363' as const })));
  return options;
}

function pssOptions(key: KeyObject): { key: KeyObject; padding: number; saltLength: number } {
  let options = pssVerifyOptions.get(key);
  if (!options) pssVerifyOptions.set(key, (options = Object.freeze({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })));
  return options;
}

function hmacVerifies(digest: string, key: VerifyingKey, signingInput: Buffer, signature: Buffer): boolean {
  if (!(key instanceof Uint8Array)) throw new Error('an HMAC needs a shared secret');
  const expected = createHmac(digest, key).update(signingInput).digest();
  // The length is public (the alg fixes it); the bytes are compared in constant time.
  return expected.length === signature.length && timingSafeEqual(expected, signature);
}

type VerifyKey = KeyObject | { key: KeyObject; padding: number; saltLength: number } | { key: KeyObject; dsaEncoding: 'ieee-p1363' };

function verifyOffLoop(digest: string | null, data: Buffer, key: VerifyKey, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      // OpenSSL's complaints about a malformed signature mean only that it does not verify.
      cryptoVerify(digest, data, key, signature, (error, verified) => resolve(!error && verified));
    } catch {
      resolve(false);
    }
  });
}
