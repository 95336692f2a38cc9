/**
 * `${file.PATH}`: the contents of a regular file, bounded. A device (`/dev/zero`) would be
 * read forever, a FIFO would block `check` until a writer came: neither is a value.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export const MAX_FILE_VALUE_BYTES = 1024 * 1024;

/** The file's text, untrimmed; throws ConfigError('file_unreadable'). */
export function readFileValue(file: string): string {
  return readRegularFile(file, MAX_FILE_VALUE_BYTES).toString('utf8');
}

/**
 * The bytes of a regular file of at most `limit` bytes (key files use this too); throws
 * ConfigError('file_unreadable') for anything else.
 */
export function readRegularFile(file: string, limit: number): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer. The type is then judged on
    // what was opened (fstat), so a path swapped after a stat cannot slip through.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw unreadable(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw unreadable(file, 'not a regular file');
    if (stat.size > limit) throw tooLarge(file, limit);
    // Read one byte past the limit: a file that grew since fstat is still caught.
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > limit) throw tooLarge(file, limit);
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(file, (error as NodeJS.ErrnoException).code ?? String(error));
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, why: string): ConfigError {
  return new ConfigError('file_unreadable', `cannot read ${file}: ${why}`);
}

function tooLarge(file: string, limit: number): ConfigError {
  const size = limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`;
  return new ConfigError('file_unreadable', `cannot read ${file}: larger than ${size}`);
}
