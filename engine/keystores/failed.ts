/**
 * Stands in for a keystore that failed to load. Its error was reported once where the
 * keystore is declared; the placeholder lets the valves that use it still be checked.
 * An engine with a failed keystore is never served, so sign() is never reached.
 */
import { SIGNING_ALGS, type Keystore } from './types.js';

const failed = new WeakSet<Keystore>();

export function failedKeystore(id: string): Keystore {
  const keystore: Keystore = {
    id,
    kid: id,
    alg: 'ES256',
    algorithms: SIGNING_ALGS,
    publicJwk: {},
    publish: false,
    sign: () => Promise.reject(new Error(`keystore '${id}' failed to load`)),
    signer: () => () => Promise.reject(new Error(`keystore '${id}' failed to load`)),
  };
  failed.add(keystore);
  return keystore;
}

/** Whether `keystore` is such a placeholder (its kid is made up, so checks on keys skip it). */
export function isFailedKeystore(keystore: Keystore): boolean {
  return failed.has(keystore);
}
