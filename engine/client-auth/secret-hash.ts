/**
 * Hashed client secrets, in two forms: `$scrypt$ln=15,r=8,p=1$SALT$HASH` (base64url), made
 * by `sluice secret hash` for secrets a human chose, and `$sha256$SALT$HASH` (fast-hash.ts),
 * made by `sluice secret generate` for random ones. scrypt from node:crypto; comparisons
 * are constant time.
 */
import { hash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { FAST_HASH_PREFIX, fastHashMatches, parseFastHash, type FastSecretHash } from './fast-hash.js';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => {
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

export interface ScryptSecretHash {
  readonly kind: 'scrypt';
  readonly encoded: string;
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export type SecretHash = ScryptSecretHash | FastSecretHash;

const MAX_MEMORY = 64 * 1024 * 1024;
const FORMAT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Parse at load time: a malformed hash is a config error, not a request-time surprise. */
export function parseSecretHash(encoded: string): SecretHash {
  return encoded.startsWith(FAST_HASH_PREFIX) ? parseFastHash(encoded) : parseScryptHash(encoded);
}

function parseScryptHash(encoded: string): ScryptSecretHash {
  const m = FORMAT.exec(encoded);
  if (!m) throw new ConfigError('schema', "not a '$scrypt$ln=…,r=…,p=…$SALT$HASH' hash (make one with `sluice secret hash`) nor a '$sha256$SALT$HASH' one (`sluice secret generate`)");
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, 'base64url');
  const hash = Buffer.from(m[5]!, 'base64url');
  // Bounded because any caller can make the server verify: memory is 128·N·r per run.
  if (ln < 10 || ln > 16 || r < 1 || r > 16 || p < 1 || p > 4 || 128 * 2 ** ln * r > MAX_MEMORY || salt.length < 16 || hash.length < 32) {
    throw new ConfigError('schema', 'scrypt hash parameters are out of range (ln 10..16, r 1..16, p 1..4, 128·2^ln·r <= 64 MiB, salt >= 16 bytes, hash >= 32 bytes)');
  }
  return { kind: 'scrypt', encoded, ln, r, p, salt, hash };
}

function options(h: { ln: number; r: number; p: number }): ScryptOptions {
  return { N: 2 ** h.ln, r: h.r, p: h.p, maxmem: 256 * 2 ** h.ln * h.r + 1024 * 1024 };
}

export async function hashSecret(secret: string, params = { ln: 15, r: 8, p: 1 }): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, 32, options(params));
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** A `$sha256$` hash is checked at once; a `$scrypt$` one costs a derivation (see SecretVerifier). */
export async function verifySecretHash(secret: string, h: SecretHash): Promise<boolean> {
  if (h.kind === 'sha256') return fastHashMatches(secret, h);
  const candidate = await scrypt(secret, h.salt, h.hash.length, options(h));
  return timingSafeEqual(candidate, h.hash);
}

/**
 * A plain secret's fixed-size digest: comparing two digests with timingSafeEqual is
 * constant time whatever the secrets' lengths; a registered secret's is made once, at first use.
 */
export function secretDigest(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}
