import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ConfigError } from '../errors.js';
import { keyAlgs, rawSigner, type RawSigner } from './algs.js';
import type { Keystore, KeystoreConfig, SigningAlg, TokenSigner } from './types.js';

/** What a key file itself may say about the key (a JWK's `kid` and `alg`, RFC 7517 §4.4-4.5). */
export interface KeyHints {
  kid?: string;
  alg?: SigningAlg;
  /** Certificates the file carries beside the key (for check's expiry warning). */
  certificates?: readonly X509Certificate[];
}

const b64json = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Wraps a private KeyObject into a Keystore. Every loader ends here, so the key checks
 * (type, curve, RSA size, alg fit) and the kid/JWK rules live in one place.
 */
export async function createKeystore(config: KeystoreConfig, key: KeyObject, hints: KeyHints = {}): Promise<Keystore> {
  const { id } = config;
  if (key.type !== 'private') {
    throw new ConfigError('keystore_invalid', `keystore '${id}': the file holds a ${key.type} key, not a private key`, ['path']);
  }
  const algs = keyAlgs(key);
  if (typeof algs === 'string') throw new ConfigError('keystore_invalid', `keystore '${id}': ${algs}`, ['path']);
  const { algorithms } = algs;
  if (config.alg !== undefined && !algorithms.includes(config.alg)) {
    throw new ConfigError('keystore_invalid',
      `keystore '${id}': alg ${config.alg} does not suit this key; it can sign with ${algorithms.join(', ')}`, ['alg']);
  }
  if (hints.alg !== undefined && !algorithms.includes(hints.alg)) {
    throw new ConfigError('keystore_invalid',
      `keystore '${id}': the key says alg ${hints.alg}, which does not suit it (${algorithms.join(', ')})`, ['path']);
  }
  const fixedAlg = config.alg ?? hints.alg;
  const alg = fixedAlg ?? algs.defaultAlg;
  // A published `alg` pins the key to that alg (RFC 7517 §4.4): verifiers that honour it
  // would refuse anything else, so the keystore refuses to sign anything else.
  const usable: readonly SigningAlg[] = fixedAlg === undefined ? algorithms : [fixedAlg];

  // Node exports only the public members (kty, n/e, crv/x/y), which is what RFC 7638 hashes.
  const jwk = createPublicKey(key).export({ format: 'jwk' }) as JWK;
  const kid = config.kid ?? hints.kid ?? (await calculateJwkThumbprint(jwk, 'sha256'));
  const publicJwk: JWK = Object.freeze({ ...jwk, kid, use: 'sig', ...(fixedAlg === undefined ? {} : { alg: fixedAlg }) });

  // Precomputed per alg: the bound signer and the encoded header for the common no-extra-header case.
  const signers = new Map<SigningAlg, { raw: RawSigner; header: string }>();
  for (const a of usable) signers.set(a, { raw: rawSigner(key, a), header: b64json({ alg: a, kid }) });

  /** The header is merged and encoded here, once per signer; each token then encodes only its payload. */
  function signer(header: Record<string, unknown> | undefined, signAlg: SigningAlg): TokenSigner {
    const bound = signers.get(signAlg);
    if (bound === undefined) {
      throw new Error(`keystore '${id}' cannot sign with ${signAlg}; it can sign with ${usable.join(', ')}`);
    }
    let encodedHeader = bound.header;
    if (header !== undefined) {
      // alg and kid first for readability, then forced: the caller may not choose them (RFC 7515 §4.1.1).
      const merged: Record<string, unknown> = { alg: signAlg, kid, ...header };
      merged.alg = signAlg;
      merged.kid = kid;
      encodedHeader = b64json(merged);
    }
    const raw = bound.raw;
    return async function signToken(payload) {
      const input = `${encodedHeader}.${b64json(payload)}`;
      const signature = await raw(Buffer.from(input));
      return `${input}.${signature.toString('base64url')}`;
    };
  }

  return Object.freeze({
    id,
    kid,
    alg,
    algorithms: usable,
    publicJwk,
    publish: config.publish ?? true,
    certificates: Object.freeze([...(hints.certificates ?? [])]),
    signer: (header?: Record<string, unknown>, signAlg: SigningAlg = alg) => signer(header, signAlg),
    async sign(payload: Record<string, unknown>, header?: Record<string, unknown>, signAlg: SigningAlg = alg): Promise<string> {
      return signer(header, signAlg)(payload);
    },
  });
}
