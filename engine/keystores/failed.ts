/**
 * Stands in for a keystore that failed to load. Its error was reported once where the
 * keystore is declared; the placeholder lets the valves that use it still be checked.
 * An engine with a failed keystore is never served, so sign() is never reached.
 */
import { SIGNING_ALGS, type Keystore } from './types.js';

export function failedKeystore(id: string): Keystore {
  return {
    id,
    kid: id,
    alg: 'ES256',
    algorithms: SIGNING_ALGS,
    publicJwk: {},
    publish: false,
    sign: () => Promise.reject(new Error(`keystore '${id}' failed to load`)),
  };
}
