/**
 * pino JSON logs. Nothing secret is logged on purpose; redaction is the second line of
 * defence for anything that slips into a log object.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { stdoutLines } from './stdout-lines.js';

export const REDACT_PATHS = [
  'client_secret', '*.client_secret', 'client_assertion', '*.client_assertion', 'assertion', '*.assertion',
  'access_token', '*.access_token', 'token', '*.token', 'password', '*.password', 'secret', '*.secret',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
];

/** Loggers made here: their format is known (no formatters, mixin, hooks or message prefix). */
const OURS = new WeakSet<Logger>();

/**
 * pino's stdTimeFunctions.isoTime, formatted once per millisecond: a busy server writes
 * several lines in each, and formatting the date was a tenth of a request line's cost.
 */
let lastMs = Number.NaN;
let lastTime = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'sluice' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: isoTime,
  };
  const logger = pino(options, destination ?? stdoutLines());
  OURS.add(logger);
  return logger;
}

const INFO = 30;
const { chindingsSym, needsMetadataGsym, streamSym } = pino.symbols;

type LoggerInternals = Record<symbol, unknown>;
interface LineStream {
  write(line: string): unknown;
}

/**
 * Writes an info line of plain values (strings, numbers, booleans, null) as pino would,
 * `{"level":30,"time":…,"service":"sluice",…fields,"msg":…}` and a newline, through the
 * logger's own destination, but in one JSON.stringify instead of pino's per-key work (the
 * token endpoint writes one such line per request: issue 14); a lone surrogate is escaped,
 * as JSON.stringify does, where pino writes it raw. Nothing is redacted, so the caller
 * passes only fields that are safe as they are. Returns false, having written nothing,
 * when the logger is not one createLogger made, or its destination wants pino's metadata
 * (a multistream); the caller then logs through pino. Below info, nothing is written (true).
 */
export function writePlainInfo(logger: Logger, fields: Readonly<Record<string, unknown>>, message: string): boolean {
  if (!OURS.has(logger)) return false;
  if (logger.levelVal > INFO) return true;
  const internals = logger as unknown as LoggerInternals;
  const stream = internals[streamSym] as LineStream & LoggerInternals;
  if (stream[needsMetadataGsym] === true) return false;
  const body = JSON.stringify(fields);
  // JSON.stringify leaves out undefined and functions and writes NaN and Infinity as null, as pino does.
  const rest = body.length > 2 ? `,${body.slice(1, -1)}` : '';
  stream.write(`{"level":${INFO}${isoTime()}${internals[chindingsSym] as string}${rest},"msg":${JSON.stringify(message)}}\n`);
  return true;
}
