/**
 * fastify gives every request a child logger (`request.log`, bound to its id). Making a
 * pino child costs an object, a formatter and a JSON encoding of the bindings, per request;
 * Sluice logs the request line itself (engine/endpoints/request-log.ts) and uses
 * request.log only when it refuses a request or hits a bug. So the child is made when a
 * method is first called, which a normal request never does.
 */
import type { Bindings, ChildLoggerOptions } from 'pino';
import type { FastifyBaseLogger } from 'fastify';

type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
type Call = (...args: unknown[]) => void;

class DeferredLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made ? this.made.level : (this.options.level ?? this.parent.level);
  }

  set level(level: string) {
    this.real.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }

  fatal(...args: unknown[]): void { this.call('fatal', args); }
  error(...args: unknown[]): void { this.call('error', args); }
  warn(...args: unknown[]): void { this.call('warn', args); }
  info(...args: unknown[]): void { this.call('info', args); }
  debug(...args: unknown[]): void { this.call('debug', args); }
  trace(...args: unknown[]): void { this.call('trace', args); }
  silent(): void {}

  private call(method: Method, args: unknown[]): void {
    (this.real[method] as unknown as Call).apply(this.real, args);
  }
}

/** fastify's `childLoggerFactory`. */
export function deferredChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new DeferredLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
