/**
 * Where the keys that verify an incoming JWT come from: a JWKS written in the config, or
 * one fetched from a `jwks_uri`. Used by private_key_jwt client assertions (RFC 7523
 * section 2.2) and by trusted issuers' tokens (JWT-bearer and token-exchange grants).
 *
 * The remote form must: fetch with a timeout and a size limit, never follow redirects,
 * accept https only (http only on loopback), cache the set, and refetch on an unknown
 * `kid` at most once per interval, so that a caller cannot make us hammer the URI; a URI
 * that is down or slow fails only the requests that need it.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface KeySetSource {
  readonly jwks?: JSONWebKeySet | undefined;
  readonly jwks_uri?: string | undefined;
}

export interface KeySet {
  /** For jose's jwtVerify: the key for a token's protected header, or a rejection. */
  readonly getKey: JWTVerifyGetKey;
}

// TODO(issue 10): replace the remote branch with our own bounded fetcher (see file comment).
export function createKeySet(source: KeySetSource): KeySet {
  if (source.jwks) return { getKey: createLocalJWKSet(source.jwks) };
  if (source.jwks_uri) return { getKey: createRemoteJWKSet(new URL(source.jwks_uri), { timeoutDuration: 3000, cooldownDuration: 30_000 }) };
  throw new Error('a key set needs jwks or jwks_uri');
}
