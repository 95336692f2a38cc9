/**
 * The keystores pipes name, by id: a plain entry is its loaded key; the entries sharing an
 * id (a rotation) are one KeyGroup. A group with a key that failed to load, or that check
 * refused (no current key, two), is a placeholder: reported once, at the entry.
 */
import type { Indexed } from '../config/cross-refs.js';
import { failedKeystore, isFailedKeystore } from './failed.js';
import { groupById, isRotation, parseRetireAt, stateOf } from './key-groups.js';
import { KeyGroup, type RotationContext } from './rotation.js';
import type { Keystore, KeystoreConfig } from './types.js';

/** `loaded[n]` is the key of `entries[n]`. */
export function keystoresById(entries: ReadonlyArray<Indexed<KeystoreConfig>>, loaded: readonly Keystore[], context: RotationContext): Map<string, Keystore> {
  const keyOf = new Map(entries.map(([config], n) => [config, loaded[n]!]));
  const byId = new Map<string, Keystore>();
  for (const [id, group] of groupById(entries)) {
    const keys = group.map(([config]) => keyOf.get(config)!);
    const currents = group.filter(([config]) => stateOf(config) === 'current').length;
    if (keys.some(isFailedKeystore) || currents !== 1) byId.set(id, failedKeystore(id));
    else if (!isRotation(group)) byId.set(id, keys[0]!);
    else {
      const members = group.map(([config], n) => ({
        keystore: keys[n]!,
        state: stateOf(config),
        retireAt: config.retire_at === undefined ? undefined : parseRetireAt(config.retire_at),
      }));
      byId.set(id, new KeyGroup(id, members, context));
    }
  }
  return byId;
}
