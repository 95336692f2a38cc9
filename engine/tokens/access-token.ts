/**
 * Our own JWT access tokens, as introspection, revocation and userinfo see them: a token
 * is ours when one of our keystores signed it for our issuer. A token that is not ours,
 * malformed, expired or revoked is simply not an access token here; why is for the log,
 * and the token itself never is.
 *
 * A token that is not a JWS may be an opaque one (opaque-token.ts): its claims are in the store.
 *
 * Revocation (RFC 7009) keeps JWTs stateless: nothing is stored per issued token, only a
 * deny-list entry per revoked one, and only until the token would have expired anyway.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Engine } from '../engine.js';
import { keysOf } from '../keystores/rotation.js';
import { SIGNING_ALGS, type Keystore } from '../keystores/types.js';
import { checkOpaqueToken, revokeOpaqueToken } from './opaque-token.js';

/** The claims of a verified access token: CreateJwt always sets these. */
export interface AccessTokenClaims extends JWTPayload {
  readonly client_id: string;
  readonly jti: string;
  readonly exp: number;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: AccessTokenClaims }
  | { readonly ok: false; readonly reason: string; readonly claims?: AccessTokenClaims };

/** Our RFC 9701 introspection responses are signed by the same keys; they are never access tokens. */
export const INTROSPECTION_JWT_TYPE = 'token-introspection+jwt';

// A JWS compact serialisation: three base64url parts. Anything else is not looked at.
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What checking a token needs of the engine (also available at load, before the Engine exists). */
export type TokenVerifier = Pick<Engine, 'issuer' | 'keystores' | 'verifyContext'>;

const verifiers = new WeakMap<TokenVerifier, { keys: readonly Keystore[]; set: ReturnType<typeof createLocalJWKSet> }>();

/**
 * Every keystore's public key, published or not (a rotated-out one too): a token from an
 * unpublished key is still ours. Made again only when the keys change (a managed ring).
 */
function ourKeys(engine: TokenVerifier): ReturnType<typeof createLocalJWKSet> {
  const keys = [...engine.keystores.values()].flatMap(keysOf);
  const cached = verifiers.get(engine);
  if (cached && cached.keys.length === keys.length && cached.keys.every((k, n) => k === keys[n])) return cached.set;
  const set = createLocalJWKSet({ keys: keys.map((k) => ({ ...k.publicJwk })) });
  verifiers.set(engine, { keys, set });
  return set;
}

/**
 * Signature, issuer and lifetime, but not the deny-list: revocation needs the claims of a
 * token that is ours even when it has expired (then there is nothing left to revoke).
 */
async function verifySigned(engine: TokenVerifier, token: string, options: { expired: boolean }): Promise<TokenCheck> {
  if (!COMPACT_JWS.test(token)) return { ok: false, reason: 'not a compact JWS' };
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: 'malformed header' };
  }
  if (header.typ === INTROSPECTION_JWT_TYPE) return { ok: false, reason: 'an introspection response, not an access token' };
  const now = engine.verifyContext.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, ourKeys(engine), {
      issuer: engine.issuer,
      algorithms: [...SIGNING_ALGS],
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(now * 1000),
      // For revocation an expired token is still identified (then there is nothing to do);
      // it is never active: checkAccessToken does not pass `expired`.
      ...(options.expired ? { clockTolerance: Number.MAX_SAFE_INTEGER } : {}),
    }));
  } catch (error) {
    return { ok: false, reason: `not verified (${(error as { code?: string }).code ?? 'error'})` };
  }
  const { client_id: clientId, jti, exp } = payload;
  if (typeof clientId !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') return { ok: false, reason: 'not an access token (client_id, jti or exp missing)' };
  const claims = payload as AccessTokenClaims;
  if (exp <= now) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

export const REVOCATION_KEY_PREFIX = 'revoked:';

/**
 * The deny-list key of a token. Hashed: a jti is whatever the issuing pipe wrote, so its
 * length is bounded this way, and the client is part of it so that one client's jti can
 * never revoke another's token. Records of active tokens keep this name as written
 * (active-token-record.ts): a new naming needs a new record `kind`.
 */
export function revocationKey(claims: AccessTokenClaims): string {
  return `${REVOCATION_KEY_PREFIX}${createHash('sha256').update(claims.client_id).update('\0').update(claims.jti).digest('base64url')}`;
}

/** An active access token of ours: signed by us, for our issuer, unexpired and not revoked. */
export async function checkAccessToken(engine: TokenVerifier, token: string): Promise<TokenCheck> {
  if (!COMPACT_JWS.test(token)) return checkOpaqueToken(engine.verifyContext.store, token, engine.verifyContext.now());
  const signed = await verifySigned(engine, token, { expired: false });
  if (!signed.ok) return signed;
  // A store that cannot answer throws temporarily_unavailable: refusing beats letting a revoked token pass.
  if ((await engine.verifyContext.store.get(revocationKey(signed.claims))) !== undefined) return { ok: false, reason: 'revoked', claims: signed.claims };
  return signed;
}

/**
 * Revoke `token` if it is an unexpired token of ours issued to `clientId` (RFC 7009
 * section 2.1: a client revokes only its own tokens). What happened, for the log.
 */
export async function revokeAccessToken(engine: Engine, token: string, clientId: string): Promise<'revoked' | 'not_ours' | 'other_client' | 'expired'> {
  if (!COMPACT_JWS.test(token)) return revokeOpaqueToken(engine.verifyContext.store, token, clientId, engine.verifyContext.now());
  const signed = await verifySigned(engine, token, { expired: true });
  if (!signed.ok) return 'not_ours';
  if (signed.claims.client_id !== clientId) return 'other_client';
  const ttl = Math.ceil(signed.claims.exp - engine.verifyContext.now());
  if (ttl <= 0) return 'expired';
  await engine.verifyContext.store.set(revocationKey(signed.claims), '1', ttl);
  return 'revoked';
}
