/**
 * The node:crypto KeyObjects a key set offers for a JWS header, for verifying with
 * node:crypto rather than jose's WebCrypto path (client assertions). jose's key set still
 * chooses (kid, kty, crv, use, key_ops, the JWK's alg, "several keys match") and imports
 * each JWK once as a CryptoKey; the KeyObject is made once per CryptoKey. A new key set (a
 * jwks_uri refetch, a config reload) imports new CryptoKeys, and new KeyObjects follow.
 */
import { KeyObject, type webcrypto } from 'node:crypto';
import { errors, type JWTVerifyGetKey } from 'jose';

type Header = Parameters<JWTVerifyGetKey>[0];
type Token = Parameters<JWTVerifyGetKey>[1];

const fromCryptoKeys = new WeakMap<webcrypto.CryptoKey, KeyObject>();

/** Every key of the set that fits the header: one, or each of several (a header without kid). */
export async function keyObjectsFor(getKey: JWTVerifyGetKey, header: Header, token: Token): Promise<KeyObject[]> {
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
