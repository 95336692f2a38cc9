/**
 * Standard output as the logs' destination: lines written synchronously, as pino's default
 * destination (sonic-boom in sync mode) writes them, without what that adds per line (a
 * second copy into a Buffer, an event and a tick), and gathered per turn of the event loop.
 * The token endpoint writes a line per request and, under load, dozens of requests end in
 * one turn: one write(2) per line was a syscall and its JS path each (issue 14), so the
 * info, debug and trace lines of a turn are held and written together by a setImmediate,
 * or as soon as the next would not fit in PIPE_BUF bytes (which also bounds the memory held).
 *
 * What is guaranteed:
 * - A line is never cut, reordered or dropped: one buffer per file descriptor, shared by
 *   every logger writing to it (a reload makes new ones); a batch holds whole lines and is
 *   at most PIPE_BUF bytes, so other processes on the same pipe cannot cut into it; a
 *   partial write goes on with the rest, and a full pipe (EAGAIN) is waited for, as
 *   sonic-boom does.
 * - Nothing is lost at exit: the process's 'exit' (process.exit() anywhere, the end of a
 *   CLI command, an uncaught exception) writes what is held, and pino's fatal calls
 *   flushSync. Only a kill that runs no code (SIGKILL, a signal with no handler) can lose
 *   what the current turn logged at info or below.
 * - Warn, error and fatal lines, and any line not in pino's `{"level":N,` form, go out at
 *   once, after what is held: an operator sees a failure even if the process dies next.
 * - A reader that has gone (EPIPE: `sluice serve | head`, a dead log shipper) ends the
 *   logging, not the server: what follows is dropped, as pino's default destination drops it.
 */
import { writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

export interface LineDestination extends DestinationStream {
  write(line: string): void;
  /** Writes what is held, now. pino calls it after a fatal line. */
  flushSync(): void;
  /** pino's logger.flush(callback): the same, then the callback. */
  flush(done?: (error?: Error) => void): void;
}

/**
 * The most a batch holds, in bytes: POSIX PIPE_BUF (4096 on Linux), the largest write to a
 * pipe that the kernel never interleaves with another process's. The workers of
 * `--workers N` share their primary's stdout, so a larger batch could be cut by another
 * worker's line, where a line written alone (as each was before batching) never was.
 */
const PIPE_BUF = 4096;
/** How long to wait for a full pipe to drain before trying again. */
const BUSY_WAIT_MS = 10;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

const byFd = new Map<number, LineDestination>();
let exiting = false;

export function stdoutLines(fd = 1): LineDestination {
  let destination = byFd.get(fd);
  if (destination === undefined) {
    if (byFd.size === 0) process.on('exit', flushAllAtExit);
    destination = batchedLines(fd);
    byFd.set(fd, destination);
  }
  return destination;
}

function flushAllAtExit(): void {
  // From here on no turn ends: what another 'exit' listener logs is written at once.
  exiting = true;
  for (const destination of byFd.values()) destination.flushSync();
}

function batchedLines(fd: number): LineDestination {
  // Lines are encoded into one reused buffer as they come: no garbage per line or per batch.
  const batch = Buffer.allocUnsafeSlow(PIPE_BUF);
  let used = 0;
  let scheduled = false;
  let readerGone = false;

  /** `length`: of a Buffer, the bytes to write from its start. */
  function send(data: string | Buffer, length: number): void {
    try {
      if (typeof data === 'string') writeText(fd, data);
      else writeBytes(fd, data, 0, length);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      readerGone = true;
    }
  }
  function flushSync(): void {
    if (used === 0) return;
    const length = used;
    used = 0;
    if (!readerGone) send(batch, length);
  }
  function endOfTurn(): void {
    scheduled = false;
    flushSync();
  }

  return {
    write(line: string): void {
      if (readerGone) return;
      if (!fitsIn(line, PIPE_BUF - used)) {
        flushSync();
        // Longer than one atomic write can be: written alone, as every line was before batching.
        if (!fitsIn(line, PIPE_BUF)) return readerGone ? undefined : send(line, 0);
      }
      used += batch.write(line, used);
      if (!mayWait(line) || exiting) flushSync();
      else if (!scheduled) {
        scheduled = true;
        // After this turn's I/O callbacks: the requests whose signing completes in this
        // turn each end in a callback of their own, so a microtask would batch nothing.
        setImmediate(endOfTurn);
      }
    },
    flushSync,
    flush(done?: (error?: Error) => void): void {
      try {
        flushSync();
      } catch (error) {
        return done?.(error as Error);
      }
      done?.();
    },
  };
}

/** Whether `line`, in UTF-8, takes at most `room` bytes (at most 3 per UTF-16 unit: counted only when that is not enough). */
function fitsIn(line: string, room: number): boolean {
  return line.length * 3 <= room || Buffer.byteLength(line) <= room;
}

const COMMA = 0x2c;
const ZERO = 0x30;
const ONE = 0x31;
const THREE = 0x33;
const LEVEL_AT = '{"level":'.length;

/** trace (10), debug (20) and info (30), as pino writes them first: `{"level":30,`. */
function mayWait(line: string): boolean {
  const tens = line.charCodeAt(LEVEL_AT);
  return tens >= ONE && tens <= THREE && line.charCodeAt(LEVEL_AT + 1) === ZERO && line.charCodeAt(LEVEL_AT + 2) === COMMA && line.startsWith('{"level":');
}

function writeText(fd: number, text: string): void {
  let written: number;
  for (;;) {
    try {
      written = writeSync(fd, text);
      break;
    } catch (error) {
      waitIfFull(error);
    }
  }
  const length = Buffer.byteLength(text);
  // Rare: the kernel took part of it. Go on, in bytes, with what it did not take.
  if (written < length) writeBytes(fd, Buffer.from(text), written, length);
}

function writeBytes(fd: number, bytes: Buffer, from: number, to: number): void {
  while (from < to) {
    try {
      from += writeSync(fd, bytes, from, to - from);
    } catch (error) {
      waitIfFull(error);
    }
  }
}

/** A full non-blocking pipe (EAGAIN) is waited for; anything else is the caller's. */
function waitIfFull(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
  Atomics.wait(sleeper, 0, 0, BUSY_WAIT_MS);
}
