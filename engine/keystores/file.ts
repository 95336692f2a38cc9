import { resolve } from 'node:path';
import { readRegularFile } from '../config/read-file.js';
import { ConfigError } from '../errors.js';
import type { KeystoreConfig } from './types.js';

export interface KeyFile {
  /** Absolute path, for messages. */
  file: string;
  data: Buffer;
}

/** PEM and PKCS#12 key files are a few KiB; a chain of certificates stays far below this. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

/**
 * Reads the keystore's `path`, resolved against the config file's directory, with the rules
 * of `${file.…}`: a regular file only (a device would be read forever, a FIFO would block),
 * at most MAX_KEY_FILE_BYTES.
 */
export async function readKeyFile(config: KeystoreConfig, baseDir: string, onFileRead?: (file: string) => void): Promise<KeyFile> {
  if (config.path === undefined || config.path === '') {
    throw new ConfigError('keystore_invalid', `keystore '${config.id}' of type ${config.type} needs a path`, []);
  }
  const file = resolve(baseDir, config.path);
  onFileRead?.(file);
  try {
    return { file, data: readRegularFile(file, MAX_KEY_FILE_BYTES) };
  } catch (err) {
    // The reason (ENOENT, EACCES, not a regular file, too large) is what the operator needs to fix it.
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError('file_unreadable', `keystore '${config.id}': ${reason}`, ['path'], { cause: err });
  }
}

/** A keystore_invalid error about the file's content. */
export function invalidFile(config: KeystoreConfig, file: string, what: string, cause?: unknown): ConfigError {
  return new ConfigError('keystore_invalid', `keystore '${config.id}': ${file}: ${what}`, ['path'], { cause });
}
