/**
 * Opaque (reference) access tokens: 256 random bits, base64url, that stand for claims kept
 * in the engine store until the token expires. Only the SHA-256 of a token is the key, so
 * a copy of the store (a Redis dump, a backup) holds nothing a caller could present.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { AccessTokenClaims, TokenCheck } from './access-token.js';

/** 32 bytes: twice the 128 bits RFC 6749 section 10.10 asks of a guess-proof token. */
const TOKEN_BYTES = 32;

// What we issue is 43 base64url characters; anything else is never looked up.
const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newOpaqueToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export const OPAQUE_KEY_PREFIX = 'opaque:';

/**
 * Where the claims behind `token` are kept: an opaque token is active while this entry is
 * there. Records of active tokens keep this name as written (active-token-record.ts): a
 * new naming needs a new record `kind`.
 */
export function opaqueStoreKey(token: string): string {
  return `${OPAQUE_KEY_PREFIX}${createHash('sha256').update(token).digest('base64url')}`;
}

/** Keep `claims` behind `token` until it expires (`ttlSeconds` from now). */
export async function storeOpaqueToken(store: Store, token: string, claims: Record<string, unknown>, ttlSeconds: number): Promise<void> {
  await store.set(opaqueStoreKey(token), JSON.stringify(claims), ttlSeconds);
}

/** The claims behind an unexpired opaque token; unknown, expired and malformed are all inactive. */
export async function checkOpaqueToken(store: Store, token: string, now: number): Promise<TokenCheck> {
  if (!OPAQUE_TOKEN.test(token)) return { ok: false, reason: 'neither a compact JWS nor an opaque token of ours' };
  // A store that cannot answer throws temporarily_unavailable: better than calling a token inactive by mistake.
  const stored = await store.get(opaqueStoreKey(token));
  if (stored === undefined) return { ok: false, reason: 'unknown opaque token (never issued, expired or revoked)' };
  let claims: AccessTokenClaims;
  try {
    claims = JSON.parse(stored) as AccessTokenClaims;
  } catch {
    return { ok: false, reason: 'the stored entry is not JSON' }; // damaged in the store: inactive, not a 500
  }
  if (claims === null || typeof claims !== 'object') return { ok: false, reason: 'the stored entry is not an object' };
  if (typeof claims.exp !== 'number' || claims.exp <= now) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/** RFC 7009 section 2.1: a client revokes only its own tokens; revoking deletes the entry. */
export async function revokeOpaqueToken(store: Store, token: string, clientId: string, now: number): Promise<'revoked' | 'not_ours' | 'other_client' | 'expired'> {
  const check = await checkOpaqueToken(store, token, now);
  if (!check.ok) return check.claims ? 'expired' : 'not_ours';
  if (check.claims.client_id !== clientId) return 'other_client';
  await store.delete(opaqueStoreKey(token));
  return 'revoked';
}
