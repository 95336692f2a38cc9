/**
 * Standard output as the logs' destination: each line written at once, synchronously, as
 * pino's default destination (sonic-boom in sync mode) writes it, without what that adds
 * per line: a second copy of the line into a Buffer after it is written, an event and a
 * tick. The token endpoint writes a line per request, and that was about 9 KB of garbage
 * and 4 µs each (issue 14). A line is never cut or dropped: a partial write goes on with
 * the rest, and a full pipe (EAGAIN) is waited for, as sonic-boom does. A reader that has
 * gone (EPIPE: `sluice serve | head`, a dead log shipper) ends the logging, not the server:
 * what follows is dropped, as pino's default destination drops it.
 */
import { writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/** How long to wait for a full pipe to drain before trying again. */
const BUSY_WAIT_MS = 10;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function stdoutLines(fd = 1): DestinationStream {
  let readerGone = false;
  return {
    write(line: string): void {
      if (readerGone) return;
      try {
        writeWhole(fd, line);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
        readerGone = true;
      }
    },
  };
}

function writeWhole(fd: number, line: string): void {
  let written = writeOnce(fd, line);
  const length = Buffer.byteLength(line);
  if (written === length) return;
  // Rare: the kernel took part of it. Go on, in bytes, with what it did not take.
  const bytes = Buffer.from(line);
  while (written < length) written += writeOnce(fd, bytes.subarray(written));
}

function writeOnce(fd: number, data: string | Buffer): number {
  for (;;) {
    try {
      return typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(sleeper, 0, 0, BUSY_WAIT_MS);
    }
  }
}
