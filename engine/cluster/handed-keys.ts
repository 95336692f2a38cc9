/**
 * The keys of `generated` keystores under `serve --workers N`. Generated at load, such a
 * key lives only in the process that made it: N workers each generating their own would
 * publish N different keys, and a token signed by one worker would fail against /jwks
 * served by another. So the primary generates each key once (while it checks the config)
 * and hands the same keys to every worker, over IPC, never on a command line or in a log.
 *
 * A reload must not make new ones either: tokens already issued would stop verifying. So
 * the keys are kept for the life of the process, by keystore id and alg, and a reload (of
 * the one-process server, or of the primary) gets the same key back.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { newPrivateKey } from '../keystores/generated.js';
import type { KeystoreConfig } from '../keystores/types.js';

/**
 * The `generateKey` of a serving process: a key is made the first time a keystore id asks
 * for it, then the same key is returned to every later load (reloads) while the alg is the
 * same; a changed alg needs a new key.
 */
export class GeneratedKeys {
  private readonly keys = new Map<string, { alg: string; key: KeyObject }>();

  readonly generate = async (config: KeystoreConfig): Promise<KeyObject> => {
    const alg = config.alg ?? 'ES256';
    const kept = this.keys.get(config.id);
    if (kept?.alg === alg) return kept.key;
    const key = await newPrivateKey(alg);
    this.keys.set(config.id, { alg, key });
    return key;
  };

  /** PKCS#8 PEM by keystore id, for the start message. */
  toPem(): Record<string, string> {
    return Object.fromEntries([...this.keys].map(([id, { key }]) => [id, key.export({ type: 'pkcs8', format: 'pem' }).toString()]));
  }
}

/** A worker's `generateKey`: the key the primary generated for that keystore, never a new one. */
export function handedKeys(pems: Readonly<Record<string, string>>): (config: KeystoreConfig) => Promise<KeyObject> {
  return async (config) => {
    const pem = Object.hasOwn(pems, config.id) ? pems[config.id] : undefined;
    // A key of its own would silently split /jwks; the primary checked this config, so this is a bug or a race.
    if (pem === undefined) throw new ConfigError('keystore_invalid', `keystore '${config.id}': the primary handed over no key for it`, ['type']);
    try {
      return createPrivateKey(pem);
    } catch {
      throw new ConfigError('keystore_invalid', `keystore '${config.id}': the key the primary handed over does not decode`, ['type']);
    }
  };
}
