/**
 * What tells, cheaply and again and again, that an access token found active once still
 * is: for a valve that hands out the same token many times (TokenCache, issue 14), where
 * verifying our own signature on every answer cost more than signing a new token.
 *
 * Once verified (checkAccessToken: signature, issuer, lifetime, revocation), only four
 * things can make a token of ours inactive, and the record holds what each is checked by:
 * - time: it expires at `exp`;
 * - revocation (RFC 7009): a JWT's deny-list entry appears; an opaque token's store entry
 *   goes (access-token.ts, opaque-token.ts write and delete them);
 * - its signing key leaving /jwks (a rotated-out key retires, a reload drops or replaces
 *   it): then no resource server can verify the token any more. The record names the key
 *   by kid and RFC 7638 thumbprint, as rotation.ts's records do: a kid is a name an
 *   operator may give again to another key;
 * - a reload that gives the server another issuer: the token names the old one.
 *
 * A record is plain data, so that a valve may keep it in the store (Redis: every instance
 * and worker reads it); one read back damaged, or naming other store keys, is inactive.
 * It holds the store keys as named when it was made: the `kind` names that naming, so a
 * record from a build that named them otherwise is of an unknown kind, inactive.
 */
import { calculateJwkThumbprint, decodeProtectedHeader, type JWK } from 'jose';
import type { Keystore } from '../keystores/types.js';
import { isTimed, keysOf } from '../keystores/rotation.js';
import { checkAccessToken, COMPACT_JWS, REVOCATION_KEY_PREFIX, revocationKey, type TokenVerifier } from './access-token.js';
import { OPAQUE_KEY_PREFIX, opaqueStoreKey } from './opaque-token.js';

export type ActiveTokenRecord =
  /**
   * A JWT: active while `revocation` (its deny-list entry) is absent, `key` still verifies
   * and `iss` is still our issuer (a reload may move the server to another one).
   */
  | { readonly kind: 'jwt'; readonly exp: number; readonly iss: string; readonly revocation: string; readonly key: string }
  /** An opaque token: active while `entry` (its claims in the store) is there. */
  | { readonly kind: 'opaque'; readonly exp: number; readonly entry: string };

/** How a record names a key: `kid:thumbprint`. */
async function keyName(jwk: Readonly<JWK>): Promise<string> {
  return `${jwk.kid}:${await calculateJwkThumbprint(jwk as JWK, 'sha256')}`;
}

/**
 * The keys whose tokens a resource server can verify now: what /jwks lists of the keys
 * that come and go with time (rotation groups, managed keystores), and every other key we
 * hold, published or not (an unpublished key's tokens verify where its operator gave it,
 * as checkAccessToken accepts them). Named once, and again only when a group's
 * publication changes (PublishedNow.until), so a check is one Set lookup.
 */
export class VerifiableKeys {
  private cached: { names: Promise<ReadonlySet<string>>; until: number; keystores: number } | undefined;

  /** `keystores` is read live: inline keystores join it while pipes load. */
  constructor(
    private readonly keystores: ReadonlyMap<string, Keystore>,
    private readonly now: () => number,
  ) {}

  async has(name: string): Promise<boolean> {
    const now = this.now();
    const cached = this.cached;
    if (cached && now < cached.until && cached.keystores === this.keystores.size) return (await cached.names).has(name);
    const jwks: Array<Readonly<JWK>> = [];
    let until = Infinity;
    for (const keystore of this.keystores.values()) {
      if (!isTimed(keystore)) {
        jwks.push(keystore.publicJwk);
        continue;
      }
      const published = keystore.published(now);
      jwks.push(...published.keys);
      until = Math.min(until, published.until);
    }
    // A key without a usable JWK (a keystore that failed to load: never served) names nothing.
    const names = Promise.all(jwks.map((jwk) => keyName(jwk).catch(() => ''))).then((list) => new Set(list.filter(Boolean)));
    this.cached = { names, until, keystores: this.keystores.size };
    return (await names).has(name);
  }
}

/** The record of `token` if it is an active access token of ours now (the full check), else undefined. */
export async function recordActiveToken(verifier: TokenVerifier, token: string): Promise<ActiveTokenRecord | undefined> {
  const check = await checkAccessToken(verifier, token);
  if (!check.ok) return undefined;
  const { exp } = check.claims;
  if (!COMPACT_JWS.test(token)) return { kind: 'opaque', exp, entry: opaqueStoreKey(token) };
  // checkAccessToken verified it with the one key of ours that has its kid (duplicate kids are refused at load).
  const { kid } = decodeProtectedHeader(token);
  const keys = [...verifier.keystores.values()].flatMap(keysOf).filter((k) => k.publicJwk.kid === kid);
  if (keys.length !== 1) return undefined;
  return { kind: 'jwt', exp, iss: verifier.issuer, revocation: revocationKey(check.claims), key: await keyName(keys[0]!.publicJwk) };
}

/**
 * Whether the token `record` was made for is still active, without verifying it again.
 * Throws temporarily_unavailable when the store cannot answer (refusing beats letting a
 * revoked token pass).
 */
export async function recordIsActive(verifier: TokenVerifier, verifiable: VerifiableKeys, record: ActiveTokenRecord): Promise<boolean> {
  if (record === null || typeof record !== 'object' || typeof record.exp !== 'number' || record.exp <= verifier.verifyContext.now()) return false;
  const { store } = verifier.verifyContext;
  if (record.kind === 'opaque') {
    return typeof record.entry === 'string' && record.entry.startsWith(OPAQUE_KEY_PREFIX) && (await store.get(record.entry)) !== undefined;
  }
  if (record.kind !== 'jwt' || typeof record.key !== 'string' || typeof record.revocation !== 'string' || !record.revocation.startsWith(REVOCATION_KEY_PREFIX)) return false;
  // checkAccessToken refuses a token for another issuer: a record kept before a reload that changed it (store: true) too.
  if (record.iss !== verifier.issuer) return false;
  return (await verifiable.has(record.key)) && (await store.get(record.revocation)) === undefined;
}
