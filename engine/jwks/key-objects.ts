/**
 * The node:crypto KeyObjects a key set offers for a JWS header, for verifying with
 * node:crypto rather than jose's WebCrypto path (client assertions). jose's key set still
 * chooses (kid, kty, crv, use, key_ops, the JWK's alg, "several keys match") and imports
 * each JWK once as a CryptoKey; the KeyObject is made once per CryptoKey. A new key set (a
 * jwks_uri refetch, a config reload) imports new CryptoKeys, and new KeyObjects follow.
 *
 * A key set written in the config never changes (a reload builds new ones), and jose's
 * choice reads only the header's `alg` and `kid`: its answer for a pair is remembered, so
 * a client's every assertion after its first costs a map lookup (issue 14). Only answers
 * with keys are: a header naming no key fails each time, and what a caller invents (kids)
 * never grows the map, which holds at most one entry per key (and alg) of the set.
 */
import { KeyObject, type webcrypto } from 'node:crypto';
import { errors, type JWTVerifyGetKey } from 'jose';

type Header = Parameters<JWTVerifyGetKey>[0];
type Token = Parameters<JWTVerifyGetKey>[1];

const fromCryptoKeys = new WeakMap<webcrypto.CryptoKey, KeyObject>();

/** Per unchanging key set (see markUnchanging), its keys by `alg` and `kid`. */
const chosen = new WeakMap<JWTVerifyGetKey, Map<string, readonly KeyObject[]>>();

/** `getKey` answers the same for the same header as long as it lives (a set from the config, not from a jwks_uri). */
export function markUnchanging(getKey: JWTVerifyGetKey): void {
  chosen.set(getKey, new Map());
}

/** Every key of the set that fits the header: one, or each of several (a header without kid). */
export function keyObjectsFor(getKey: JWTVerifyGetKey, header: Header, token: Token): readonly KeyObject[] | Promise<readonly KeyObject[]> {
  const remembered = chosen.get(getKey);
  const { alg, kid } = header;
  if (remembered === undefined || typeof alg !== 'string' || (kid !== undefined && typeof kid !== 'string')) return choose(getKey, header, token);
  const pair = kid === undefined ? alg : `${alg}\0${kid}`;
  const keys = remembered.get(pair);
  if (keys !== undefined) return keys;
  return choose(getKey, header, token).then((found) => {
    if (found.length > 0) remembered.set(pair, Object.freeze(found));
    return found;
  });
}

async function choose(getKey: JWTVerifyGetKey, header: Header, token: Token): Promise<KeyObject[]> {
  try {
    return [asKeyObject(await getKey(header, token))];
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    const keys: KeyObject[] = [];
    for await (const candidate of error as unknown as AsyncIterable<unknown>) keys.push(asKeyObject(candidate));
    return keys;
  }
}

function asKeyObject(key: unknown): KeyObject {
  if (key instanceof KeyObject) return key;
  if (!isCryptoKey(key)) throw new Error('the key set gave a key that is neither a CryptoKey nor a KeyObject');
  let keyObject = fromCryptoKeys.get(key);
  if (!keyObject) fromCryptoKeys.set(key, (keyObject = KeyObject.from(key)));
  return keyObject;
}

const isCryptoKey = (key: unknown): key is webcrypto.CryptoKey => typeof key === 'object' && key !== null && Object.prototype.toString.call(key) === '[object CryptoKey]';
