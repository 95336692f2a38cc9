import { constants, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from './types.js';

/** RFC 7518 §3.3: RSA keys of 2048 bits or larger MUST be used with RS* and PS*. */
export const MIN_RSA_BITS = 2048;

const RSA_ALGS: readonly SigningAlg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** RFC 7518 §3.4: each ES* alg fixes its curve (OpenSSL curve names as node reports them). */
const EC_ALG: Readonly<Record<string, SigningAlg>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

export interface KeyAlgs {
  algorithms: readonly SigningAlg[];
  defaultAlg: SigningAlg;
}

/**
 * Which algs a private key can sign with, or a human reason why Sluice cannot use it.
 * Returns a string (not throws) so each loader can attach its own ConfigError path.
 */
export function keyAlgs(key: KeyObject): KeyAlgs | string {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) return `RSA key is ${bits} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 §3.3)`;
      return { algorithms: RSA_ALGS, defaultAlg: 'RS256' };
    }
    case 'ec': {
      const alg = EC_ALG[details.namedCurve ?? ''];
      if (alg === undefined) return `EC curve ${details.namedCurve ?? '?'} is not supported (P-256, P-384, P-521 are)`;
      return { algorithms: [alg], defaultAlg: alg };
    }
    case 'ed25519':
      return { algorithms: ['EdDSA'], defaultAlg: 'EdDSA' };
    default:
      return `key type ${type ?? '?'} is not supported (RSA, EC P-256/P-384/P-521 and Ed25519 are)`;
  }
}

export type RawSigner = (data: Buffer) => Promise<Buffer>;

/**
 * A signer for one alg, bound to the key. node:crypto directly (no jose per-call setup):
 *  - RS*: RSASSA-PKCS1-v1_5 (RFC 7518 §3.3), node's default padding.
 *  - PS*: RSASSA-PSS with MGF1 on the same hash and salt length = hash length (RFC 7518 §3.5).
 *  - ES*: JWS wants R||S fixed-width (RFC 7518 §3.4), not DER: dsaEncoding 'ieee-p1363'.
 *  - EdDSA: Ed25519 hashes internally, so no digest (RFC 8037 §3.1).
 *
 * With a callback, crypto.sign runs on libuv's threadpool instead of the event loop, so
 * while one request is being signed the loop parses and answers others, and every core
 * signs (RSA signing is most of a token's CPU). The pool has 4 threads by default; the
 * scrypt derivations of hashed secrets share it but are capped below that
 * (KDF_CONCURRENCY, engine/client-auth/fair-limiter.ts), so signing always has threads.
 */
export function rawSigner(key: KeyObject, alg: SigningAlg): RawSigner {
  if (alg === 'EdDSA') return (data) => signOffLoop(null, data, key);
  const digest = `sha${alg.slice(2)}`;
  switch (alg.slice(0, 2)) {
    case 'RS':
      return (data) => signOffLoop(digest, data, key);
    case 'PS': {
      const opts = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
      return (data) => signOffLoop(digest, data, opts);
    }
    default: {
      const opts = { key, dsaEncoding: 'ieee-p1363' as const };
      return (data) => signOffLoop(digest, data, opts);
    }
  }
}

type SignKey = KeyObject | { key: KeyObject; padding: number; saltLength: number } | { key: KeyObject; dsaEncoding: 'ieee-p1363' };

function signOffLoop(digest: string | null, data: Buffer, key: SignKey): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    cryptoSign(digest, data, key, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}
