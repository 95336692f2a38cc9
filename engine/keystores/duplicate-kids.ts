/**
 * Two keystores with one kid. A verifier picks the key by the token's kid; with two
 * candidates jose gives up (ERR_JWKS_MULTIPLE_MATCHING_KEYS) and others pick either one,
 * so tokens fail to verify, or verify by luck. Unpublished keys count too: a token they
 * sign names a kid that /jwks maps to another key. The same key under two distinct kids is
 * allowed (a rename during rotation); the same key file loaded twice without a kid is not.
 */
import type { Indexed } from '../config/cross-refs.js';
import type { DiagnosticSink } from '../diagnostics.js';
import type { ConfigPath } from '../errors.js';
import { isFailedKeystore } from './failed.js';
import type { Keystore, KeystoreConfig } from './types.js';

/** Reports each keystore whose kid an earlier keystore already has, at its kid (or its key file). `loaded[n]` is `configs[n]`'s key. */
export function checkDuplicateKids(configs: ReadonlyArray<Indexed<KeystoreConfig>>, loaded: readonly Keystore[], sink: DiagnosticSink): void {
  const firstByKid = new Map<string, KeystoreConfig>();
  configs.forEach(([config, i], n) => {
    const keystore = loaded[n];
    if (!keystore || isFailedKeystore(keystore)) return;
    const first = firstByKid.get(keystore.kid);
    if (!first) {
      firstByKid.set(keystore.kid, config);
      return;
    }
    const where: ConfigPath = config.kid !== undefined ? ['kid'] : config.path !== undefined ? ['path'] : [];
    const fix = config.kid !== undefined ? 'give each key its own kid' : 'load a key once, or give this one its own kid';
    const other = first.id === config.id ? `another key of keystore '${first.id}'` : `the kid of keystore '${first.id}'`;
    sink.add('duplicate_id', `kid '${keystore.kid}' is also ${other}: verifiers could not tell the keys apart; ${fix}`, ['keystores', i, ...where]);
  });
}
