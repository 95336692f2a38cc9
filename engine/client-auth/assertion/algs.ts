/**
 * The algorithms a client assertion may be signed with (RFC 7523 section 3, RFC 7518
 * section 3.1). Discovery's token_endpoint_auth_signing_alg_values_supported is derived
 * from these lists, through the methods that use them.
 */
import { SIGNING_ALGS } from '../../keystores/types.js';

/**
 * private_key_jwt: the asymmetric algs we can also sign with. Never `none`, never HMAC: a
 * verifier that let the header choose HMAC would take the client's public key as the
 * secret, and anyone can sign with a public key.
 */
export const PRIVATE_KEY_JWT_ALGS: readonly string[] = [...SIGNING_ALGS];

/** client_secret_jwt: HMAC with the client's secret. */
export const CLIENT_SECRET_JWT_ALGS: readonly string[] = ['HS256', 'HS384', 'HS512'];

/**
 * RFC 7518 section 3.2: "A key of the same size as the hash output (for instance, 256
 * bits for HS256) or larger MUST be used". Bytes of the secret as UTF-8.
 */
export const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

export function isHmacAlg(alg: unknown): boolean {
  return typeof alg === 'string' && /^HS\d+$/i.test(alg);
}
