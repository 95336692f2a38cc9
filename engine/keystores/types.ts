import type { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import type { KeyState } from './key-states.js';

/** Signing algorithms Sluice can issue tokens with (RFC 7518 + RFC 8037). */
export const SIGNING_ALGS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** Keystore formats (the config schema's enum is derived from this list). */
export const KEYSTORE_TYPES = ['pem', 'pkcs12', 'jwks', 'generated', 'managed'] as const;
export type KeystoreType = (typeof KEYSTORE_TYPES)[number];

/** A keystore entry of the config, after schema validation and load-time `${…}` resolution. */
export interface KeystoreConfig {
  id: string;
  type: KeystoreType;
  /** pem | pkcs12 | jwks: the file, relative to the config file's directory. */
  path?: string;
  /** Encrypted PKCS#8 PEM, PKCS#12. */
  password?: string;
  /** pkcs12: friendly name of the key entry; jwks: the kid. Default: the first key. */
  alias?: string;
  /** The default signing alg; must suit the key. Default: derived from the key. */
  alg?: SigningAlg;
  /** Default: the RFC 7638 thumbprint of the public key. */
  kid?: string;
  /** Publish the public key at /jwks. Default true. */
  publish?: boolean;
  /** Its place in the rotation of the keystores sharing its id (key-states.ts). Default current. */
  state?: KeyState;
  /** previous: when to stop publishing it (RFC 3339); default: computed (rotation.ts). */
  retire_at?: string;
  /** managed: a new key every this long (a duration, e.g. 30d). */
  rotate_every?: string;
  /** managed: the AES-256-GCM key sealing the keys in the store (32 bytes, hex or base64). */
  encryption_key?: string;
}

/** Signs a payload into a compact JWS whose header was fixed when the signer was made. */
export type TokenSigner = (payload: Record<string, unknown>) => Promise<string>;

/**
 * A loaded signing key. The private key never leaves this object: callers ask it to sign.
 * Signing is async: it runs on libuv's threadpool, off the event loop (keystores/algs.ts).
 */
export interface Keystore {
  readonly id: string;
  readonly kid: string;
  /** The alg used when the caller does not choose one. */
  readonly alg: SigningAlg;
  /** Every alg this key can sign with (e.g. RSA: RS* and PS*; EC P-256: ES256 only). */
  readonly algorithms: readonly SigningAlg[];
  /** Public JWK: kty + key members, `kid`, `use: "sig"`, and `alg` when the config fixes one. */
  readonly publicJwk: Readonly<JWK>;
  readonly publish: boolean;
  /** X.509 certificates the key file carries (PEM blocks, PKCS#12 bags, JWK x5c); none for generated keys. */
  readonly certificates?: readonly X509Certificate[];
  /** Compact JWS over the JSON payload; `alg` and `kid` in the header are set by the keystore. */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>, alg?: SigningAlg): Promise<string>;
  /**
   * A signer for a header known at load (CreateJwt's constant jwt_headers): the header is
   * merged (alg and kid forced, as in sign()) and encoded once, here. Throws for an alg
   * the key cannot sign with.
   */
  signer(header?: Record<string, unknown>, alg?: SigningAlg): TokenSigner;
  /**
   * Tells the keystore the lifetime (seconds) of tokens a valve signs with it, in create():
   * a rotated-out key stays published until the longest of them has expired (rotation.ts).
   */
  noteTokenLifetime?(seconds: number): void;
}
