import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { pemCertificates } from './certificates.js';
import { readKeyFile } from './file.js';
import { newPrivateKey } from './generated.js';
import { loadJwksKey } from './jwks.js';
import { createKeystore, type KeyHints } from './keystore.js';
import { loadPemKey } from './pem.js';
import type { Keystore, KeystoreConfig } from './types.js';

/**
 * Loads one keystore entry of the config. Errors are ConfigErrors whose path is relative to
 * the entry (['path'], ['password'], ['alias'], ['alg'] or []); the caller prefixes it.
 */
export async function loadKeystore(
  config: KeystoreConfig,
  options: {
    baseDir: string;
    generateKey?: ((config: KeystoreConfig) => Promise<KeyObject>) | undefined;
    /** Told the key file's path before it is read (`serve --watch` watches it). */
    onFileRead?: ((file: string) => void) | undefined;
  },
): Promise<Keystore> {
  let key: KeyObject;
  let hints: KeyHints = {};
  switch (config.type) {
    case 'pem': {
      const file = await readKeyFile(config, options.baseDir, options.onFileRead);
      key = loadPemKey(config, file);
      hints = { certificates: pemCertificates(file.data) };
      break;
    }
    case 'pkcs12': {
      // Imported here: it brings node-forge, which costs every start about 0.1 s to import.
      const { loadPkcs12Key } = await import('./pkcs12.js');
      let certificates;
      ({ key, certificates } = loadPkcs12Key(config, await readKeyFile(config, options.baseDir, options.onFileRead)));
      hints = { certificates };
      break;
    }
    case 'jwks':
      ({ key, hints } = loadJwksKey(config, await readKeyFile(config, options.baseDir, options.onFileRead)));
      break;
    case 'generated':
      key = await (options.generateKey ?? generateFresh)(config);
      break;
    default:
      // Unreachable after schema validation; kept for configs built in code.
      throw new ConfigError('keystore_invalid', `keystore '${String((config as KeystoreConfig).id)}': unknown type`, ['type']);
  }
  return createKeystore(config, key, hints);
}

function generateFresh(config: KeystoreConfig): Promise<KeyObject> {
  return newPrivateKey(config.alg ?? 'ES256');
}
