/**
 * The fast hash for generated secrets: `$sha256$SALT$HASH`, HASH = HMAC-SHA-256 keyed by
 * SALT over the secret (both base64url, unpadded), made by `sluice secret generate`.
 *
 * A slow KDF protects guessable secrets; a generated secret has 256 random bits, so a
 * stolen hash is no easier to invert than to guess, and scrypt would add only cost (and a
 * place in the KDF queue) to every first login. The salt keeps equal secrets' hashes apart.
 * HMAC rather than SHA-256(salt || secret): the keyed construction is the standard PRF
 * (RFC 2104), has no concatenation-boundary or length-extension questions, and costs
 * the same; `openssl dgst -sha256 -mac HMAC` reproduces it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';

export const FAST_HASH_PREFIX = '$sha256$';

export interface FastSecretHash {
  readonly kind: 'sha256';
  readonly encoded: string;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const FORMAT = /^\$sha256\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;
const DIGEST_BYTES = 32;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64url as Node writes it (`text` is of its alphabet: FORMAT): a string it would not
 * write back is not one. Node writes no padding, so no length leaves 1 character over, and
 * the bits of the last character past the last byte are zero (RFC 4648 section 3.5).
 * Checked here rather than by encoding the bytes again: 100,000 RPs' hashes load faster.
 */
function decode(text: string): Buffer | undefined {
  const over = text.length % 4;
  const last = BASE64URL.indexOf(text[text.length - 1]!);
  if (over === 1 || (over === 2 && (last & 0xf) !== 0) || (over === 3 && (last & 0x3) !== 0)) return undefined;
  return Buffer.from(text, 'base64url');
}

export function parseFastHash(encoded: string): FastSecretHash {
  const m = FORMAT.exec(encoded);
  const salt = m && decode(m[1]!);
  const hash = m && decode(m[2]!);
  if (!salt || !hash || salt.length < 16 || hash.length !== DIGEST_BYTES) {
    throw new ConfigError('schema', "not a '$sha256$SALT$HASH' hash (base64url, salt >= 16 bytes, HMAC-SHA-256 of 32 bytes); make one with `sluice secret generate`");
  }
  return { kind: 'sha256', encoded, salt, hash };
}

export function fastHash(secret: string): string {
  const salt = randomBytes(16);
  return `${FAST_HASH_PREFIX}${salt.toString('base64url')}$${digest(secret, salt).toString('base64url')}`;
}

/** Constant time: the digests have a fixed length whatever the presented secret's. */
export function fastHashMatches(secret: string, h: FastSecretHash): boolean {
  return timingSafeEqual(digest(secret, h.salt), h.hash);
}

function digest(secret: string, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}
