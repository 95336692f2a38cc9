/**
 * The log of one request, built in one place: the line the request ends with (its fields
 * are added by the endpoint's steps as they learn them) and a logger, bound to the
 * request id, for what a step or valve has to say on the way. The id is the caller's
 * `x-request-id` when it is plain (engine/http/request-id.ts); the audit fields of an
 * issued token ride on this line too (engine/endpoints/token-audit.ts).
 *
 * The request line is the hot one (one per request), so it is cheap: no child logger per
 * request (the bound logger is made only when something asks for it, which a normal
 * request never does), no redaction pass, and one JSON.stringify instead of pino's work
 * per key (engine/logger.ts writePlainInfo). That changes nothing written: the line holds
 * only what the endpoint's own steps put in it (codes, ids cut to size by
 * loggableClientId, our own messages, numbers), under keys none of which is a redaction
 * path (engine/logger.ts REDACT_PATHS: secret, token, assertion, authorization, …), and
 * redaction works on keys. A line that holds anything but such plain values (an error
 * object, for a server_error) goes through the redacting logger.
 */
import type { Logger } from 'pino';
import { writePlainInfo } from '../logger.js';

/** The log line of one request: fields are added by the steps as they learn them. */
export type LogLine = Record<string, unknown>;

/** Per base logger, made once: the same destination, level and format, without redaction. */
const lineLoggers = new WeakMap<Logger, Logger>();

function lineLogger(base: Logger): Logger {
  let logger = lineLoggers.get(base);
  if (logger === undefined) {
    // Redaction replaced by none: only known-safe lines are written through it (see above).
    logger = base.child({}, { redact: { paths: [] } });
    lineLoggers.set(base, logger);
  }
  return logger;
}

export class RequestLog {
  /** req_id first, where a bound logger would have put it. */
  readonly line: LogLine;
  private bound: Logger | undefined;

  constructor(private readonly base: Logger, readonly id: string, event: string, remoteAddr: string) {
    // One literal, the same keys in the same order for every request (engine/merge.ts), with
    // the fields every endpoint's steps fill in already there (undefined is not written, by
    // JSON.stringify nor pino): the line does not grow its property store step by step.
    this.line = {
      req_id: id,
      event,
      remote_addr: remoteAddr,
      grant_type: undefined,
      client_id: undefined,
      pipe: undefined,
      outcome: undefined,
      error: undefined,
      error_description: undefined,
      duration_ms: undefined,
    };
  }

  /** A logger bound to this request's id (redacting, as every logger but the request line's). */
  get logger(): Logger {
    return (this.bound ??= this.base.child({ req_id: this.id }));
  }

  /** Writes the request line: at error level for a failure of ours, else info. */
  write(message: string, failed: boolean): void {
    const { line } = this;
    if (failed || !primitivesOnly(line)) this.base[failed ? 'error' : 'info'](line, message);
    else if (!writePlainInfo(this.base, line, message)) lineLogger(this.base).info(line, message);
  }
}

function primitivesOnly(line: LogLine): boolean {
  for (const key in line) {
    const value = line[key];
    if (value !== null && typeof value === 'object') return false;
  }
  return true;
}
