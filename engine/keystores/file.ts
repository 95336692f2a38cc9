import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { KeystoreConfig } from './types.js';

export interface KeyFile {
  /** Absolute path, for messages. */
  file: string;
  data: Buffer;
}

/** Reads the keystore's `path`, resolved against the config file's directory. */
export async function readKeyFile(config: KeystoreConfig, baseDir: string): Promise<KeyFile> {
  if (config.path === undefined || config.path === '') {
    throw new ConfigError('keystore_invalid', `keystore '${config.id}' of type ${config.type} needs a path`, []);
  }
  const file = resolve(baseDir, config.path);
  try {
    return { file, data: await readFile(file) };
  } catch (err) {
    // The OS reason (ENOENT, EACCES, EISDIR…) is what the operator needs to fix it.
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new ConfigError('file_unreadable', `keystore '${config.id}': cannot read ${file}: ${reason}`, ['path'], { cause: err });
  }
}

/** A keystore_invalid error about the file's content. */
export function invalidFile(config: KeystoreConfig, file: string, what: string, cause?: unknown): ConfigError {
  return new ConfigError('keystore_invalid', `keystore '${config.id}': ${file}: ${what}`, ['path'], { cause });
}
