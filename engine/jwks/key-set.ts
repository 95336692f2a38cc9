/**
 * Where the keys that verify an incoming JWT come from: a JWKS written in the config, or
 * one fetched from a `jwks_uri`. Used by private_key_jwt client assertions (RFC 7523
 * section 2.2) and by trusted issuers' tokens (JWT-bearer and token-exchange grants).
 *
 * The remote form (remote.ts) fetches with a timeout and a size limit, never follows
 * redirects, accepts https only (http only on loopback), caches the set, and refetches on
 * an unknown `kid` at most once per interval, so that a caller cannot make us hammer the
 * URI; a URI that is down or slow fails only the requests that need it.
 *
 * Verify with `jwtVerifyWithKeySet(token, keySet.getKey, options)` (verify.ts): it also
 * tries each fitting key when a token has no `kid`. Client assertions take the fitting
 * keys as node:crypto KeyObjects instead (`keyObjectsFor`, key-objects.ts).
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { markUnchanging } from './key-objects.js';
import { RemoteKeySet, type RemoteKeySetOptions } from './remote.js';

export interface KeySetSource {
  readonly jwks?: JSONWebKeySet | undefined;
  readonly jwks_uri?: string | undefined;
}

export interface KeySet {
  /** For jose's jwtVerify: the key for a token's protected header, or a rejection. */
  readonly getKey: JWTVerifyGetKey;
}

/** `options` tune the remote form (tests shorten the timeout and cooldown). */
export function createKeySet(source: KeySetSource, options: Partial<RemoteKeySetOptions> = {}): KeySet {
  if (source.jwks) {
    const getKey = createLocalJWKSet(source.jwks);
    markUnchanging(getKey);
    return { getKey };
  }
  if (source.jwks_uri) return new RemoteKeySet(source.jwks_uri, options);
  throw new Error('a key set needs jwks or jwks_uri');
}

export { jwksUriProblem } from './uri.js';
export { jwtVerifyWithKeySet } from './verify.js';
export { RemoteKeySet, type RemoteKeySetOptions } from './remote.js';
