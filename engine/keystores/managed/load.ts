/** A `type: managed` keystore entry, checked and made at load (no store is touched here). */
import type { Indexed } from '../../config/cross-refs.js';
import type { DiagnosticSink } from '../../diagnostics.js';
import { parseDuration } from '../../duration.js';
import { ConfigError } from '../../errors.js';
import { WINDOW_MARGIN, type RotationContext } from '../rotation.js';
import type { KeystoreConfig } from '../types.js';
import { ManagedKeystore } from './managed.js';
import { parseEncryptionKey } from './sealed-key.js';

export const DEFAULT_ROTATE_EVERY = '30d';

/** What a managed keystore cannot take: it makes its own keys, and rotates them itself. */
const NOT_FOR_MANAGED = ['path', 'password', 'alias', 'kid', 'state', 'retire_at'] as const;

/** The schema-valid entry's problems that are not about its values (told by createManaged). */
export function checkManagedEntries(entries: ReadonlyArray<Indexed<KeystoreConfig>>, sink: DiagnosticSink): void {
  for (const [config, i] of entries) {
    if (config.type === 'managed') {
      for (const key of NOT_FOR_MANAGED) {
        if (config[key] !== undefined) sink.add('keystore_invalid', `a managed keystore takes no ${key}: it makes and rotates its own keys`, ['keystores', i, key], { atKey: true });
      }
      if (config.publish === false) sink.add('keystore_invalid', 'a managed keystore publishes its keys: a resource server must learn each before it signs', ['keystores', i, 'publish']);
    } else {
      for (const key of ['rotate_every', 'encryption_key'] as const) {
        if (config[key] !== undefined) sink.add('keystore_invalid', `${key} applies to a managed keystore`, ['keystores', i, key], { atKey: true });
      }
    }
  }
}

/** Throws ConfigError with a path relative to the entry; never repeats encryption_key. */
export function createManaged(config: KeystoreConfig, context: RotationContext): ManagedKeystore {
  const encryptionKey = parseEncryptionKey(config.encryption_key);
  let rotateEvery: number;
  try {
    rotateEvery = parseDuration(config.rotate_every ?? DEFAULT_ROTATE_EVERY, 's');
  } catch (error) {
    throw error instanceof ConfigError ? new ConfigError(error.code, error.message, ['rotate_every']) : error;
  }
  // A key is made two announce windows before its period; the period must be longer.
  const shortest = 4 * (context.maxAge + WINDOW_MARGIN);
  if (rotateEvery < shortest) {
    throw new ConfigError('keystore_invalid', `rotate_every must be at least ${shortest} s: four times server.jwks_max_age (+${WINDOW_MARGIN} s), the window each new key is announced in`, ['rotate_every']);
  }
  return new ManagedKeystore({ id: config.id, alg: config.alg ?? 'ES256', rotateEvery, encryptionKey }, context);
}
