/**
 * The keys of `generated` keystores under `serve --workers N`. Generated at load, such a
 * key lives only in the process that made it: N workers each generating their own would
 * publish N different keys, and a token signed by one worker would fail against /jwks
 * served by another. So the primary generates each key once (while it checks the config)
 * and hands the same keys to every worker, over IPC, never on a command line or in a log.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { newPrivateKey } from '../keystores/generated.js';
import type { KeystoreConfig } from '../keystores/types.js';

/** The primary's `generateKey` for the load: a fresh key, remembered to be handed on. */
export class GeneratedKeys {
  private readonly keys = new Map<string, KeyObject>();

  readonly generate = async (config: KeystoreConfig): Promise<KeyObject> => {
    const key = await newPrivateKey(config.alg ?? 'ES256');
    this.keys.set(config.id, key);
    return key;
  };

  /** PKCS#8 PEM by keystore id, for the start message. */
  toPem(): Record<string, string> {
    return Object.fromEntries([...this.keys].map(([id, key]) => [id, key.export({ type: 'pkcs8', format: 'pem' }).toString()]));
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
