/**
 * Token ids (RFC 7519 section 4.1.7 jti; RFC 9068 section 2.2 requires one): 128 bits
 * of CSPRNG output each, base64url (22 characters).
 *
 * One randomBytes() call per token costs a call into OpenSSL and a Buffer each time; the
 * bytes are taken instead from a pool filled 4 KiB at a time (256 ids), each byte handed
 * out once: the pool is replaced, never rewound. Only for ids, which are public in every
 * token: secrets (opaque tokens) still get their own randomBytes() and are never held
 * in memory ahead of use. Each process has its own pool (cluster workers are separate
 * processes started afresh, not forks sharing a pool's contents).
 */
import { randomBytes } from 'node:crypto';

export const JTI_BYTES = 16;
const POOL_BYTES = 4096;

let pool: Buffer | undefined;
let offset = POOL_BYTES;

export function newJti(): string {
  if (pool === undefined || offset + JTI_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + JTI_BYTES);
  offset += JTI_BYTES;
  return id;
}
