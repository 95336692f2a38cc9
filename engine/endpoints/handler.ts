/**
 * One wrapper for every form-posting endpoint (token now; introspection and revocation
 * next): runs the endpoint's named steps in order (runner.ts sequence), maps errors to
 * RFC 6749 section 5.2 answers, and writes one log line per request. Anything that is not
 * an OAuthError is a bug: answered as server_error, the details in the log only.
 */
import type { Engine } from '../engine.js';
import { internalErrorDescription, isOAuthError, ServerError } from '../errors.js';
import { pipeProgress } from '../flow-state.js';
import type { Flow } from '../flow.js';
import { merged } from '../merge.js';
import { authFailureReason } from '../client-auth/failure.js';
import { sequence, StepFailure, type SequenceStep } from '../runner.js';
import { DeadlinePassed, deadlineAnswer, RequestDeadline } from './deadline.js';
import { RequestLog, type LogLine } from './request-log.js';

export type { LogLine } from './request-log.js';

/** What the HTTP layer hands an endpoint. */
export interface EndpointRequest {
  readonly id: string;
  readonly body: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  /** The caller's address (after trust_proxy). */
  readonly ip: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Record<string, unknown>;
}

/** What every endpoint's steps share; an endpoint extends it with its own fields. */
export interface EndpointContext {
  readonly engine: Engine;
  readonly http: EndpointRequest;
  /** The request's log: its line, and a logger bound to its id (made when first used). */
  readonly log: RequestLog;
  readonly line: LogLine;
  /** The success body, set by the endpoint's last step. */
  answer?: Record<string, unknown>;
  /** The flow a pipe runs on, once there is one (for the log when it runs too long). */
  flow?: Flow;
  /** server.request_timeout from arrival; a step may bring it forward (the caller's exp). */
  readonly deadline: RequestDeadline;
  /**
   * Members every answer carries back, success or error, as the endpoint decides at the
   * time of answering (the token endpoint's `state`, once the caller is proven).
   */
  echoed?(): Readonly<Record<string, string>>;
}

// RFC 6749 section 5.1: token responses must not be cached; errors neither.
const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' });

/**
 * What an endpoint does once a request is answered, before its line is written: add
 * audit fields to the line, count it in the metrics. `context` is undefined only when
 * init failed. It must not throw; if it does (a bug), the answer stands and the log says so.
 */
export type RequestObserver<C> = (engine: Engine, context: C | undefined, line: LogLine, seconds: number) => void;

export function defineEndpoint<C extends EndpointContext>(
  event: string,
  steps: ReadonlyArray<SequenceStep<C>>,
  init: (base: EndpointContext) => C,
  observe?: RequestObserver<C>,
): (engine: Engine, http: EndpointRequest) => Promise<HttpAnswer> {
  const run = sequence(steps);
  const message = `${event} request`;
  const failedMessage = `${event} request failed`;
  return async function handleEndpoint(engine, http) {
    const started = process.hrtime.bigint();
    const log = new RequestLog(engine.logger, http.id, event, http.ip);
    const { line } = log;
    let context: C | undefined;
    const deadline = new RequestDeadline(engine.config.server.request_timeout * 1000);
    try {
      context = init({ engine, http, log, line, deadline });
      // A valve that never settles (a hung plugin, a slow upstream) must not hold a request, and its socket, for ever.
      await deadline.race(run(context));
      if (!context.answer) throw ServerError(`${event}: no step answered`);
      // An endpoint that issues nothing (introspection, revocation, userinfo) says so itself.
      line.outcome ??= 'issued';
      return { status: 200, headers: NO_STORE, body: withEchoed(context.answer, context) };
    } catch (error) {
      if (error instanceof DeadlinePassed && context?.flow) line.valve = pipeProgress(context.flow).running;
      const answer = failure(error instanceof DeadlinePassed ? deadlineAnswer(error.owner) : error, http, line);
      return { status: answer.status, headers: answer.headers, body: withEchoed(answer.body, context) };
    } finally {
      deadline.clear();
      const nanoseconds = Number(process.hrtime.bigint() - started);
      line.duration_ms = nanoseconds / 1e6;
      if (observe) observeSafely(observe, engine, context, line, nanoseconds / 1e9);
      const failed = line.outcome === 'error';
      log.write(failed ? failedMessage : message, failed);
    }
  };
}

function observeSafely<C>(observe: RequestObserver<C>, engine: Engine, context: C | undefined, line: LogLine, seconds: number): void {
  try {
    observe(engine, context, line, seconds);
  } catch (error) {
    line.observe_error = error instanceof Error ? error.message : String(error);
  }
}

/** The body with what the endpoint echoes (usually nothing: then the body as it is). */
function withEchoed(body: Record<string, unknown>, context: EndpointContext | undefined): Record<string, unknown> {
  const extra = echoed(context);
  // merged, not Object.assign: a body member named __proto__ (JSON.parse makes them) stays a member.
  for (const _ in extra) return merged(merged({}, body), extra);
  return body;
}

/** What the endpoint echoes; a failing echo (a bug) must not turn an answer into a crash. */
function echoed(context: EndpointContext | undefined): Readonly<Record<string, string>> {
  try {
    return context?.echoed?.() ?? {};
  } catch {
    return {};
  }
}

function failure(error: unknown, http: EndpointRequest, line: LogLine): HttpAnswer {
  const oauth = isOAuthError(error) && sane(error) ? error : ServerError('the server failed to process the request', { cause: error });
  line.outcome = oauth.code === 'server_error' ? 'error' : 'refused';
  line.error = oauth.code;
  line.error_description = loggableDescription(oauth.message);
  if (oauth.detail) line.error_detail = oauth.detail;
  // The audit event of a failed client authentication: why (a code) and from where (remote_addr).
  if (oauth.code === 'invalid_client') {
    line.audit = 'client_auth_failed';
    line.reason = authFailureReason(error) ?? 'credentials_malformed';
  }
  if (error instanceof StepFailure) line.valve = error.step;
  if (!isOAuthError(error) || oauth.code === 'server_error') line.err = error;
  // A server_error's own message may hold internals: it goes to the log, not the client.
  const body = oauth.code === 'server_error'
    ? { error: oauth.code, error_description: internalErrorDescription(http.id) }
    : oauth.toJSON();
  return { status: oauth.status, headers: Object.assign({}, NO_STORE, answerHeaders(oauth.headers)), body };
}

/**
 * A plugin can throw anything branded as an OAuthError (attack review L8): only an error
 * status is answered as it says, and only the headers an OAuth error needs are sent.
 */
function sane(error: { status: number }): boolean {
  return Number.isInteger(error.status) && error.status >= 400 && error.status <= 599;
}

const ERROR_HEADERS = ['www-authenticate', 'retry-after', 'allow'];

function answerHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => ERROR_HEADERS.includes(name.toLowerCase()) && typeof value === 'string'));
}

/**
 * How much of an error's message a request line keeps: a message may quote what the caller
 * sent (every scope it asked for and may not have), so its length is the caller's choice up
 * to body_limit. The answer's body cuts it to 300 characters (errors.ts); the log keeps more.
 */
const LOGGED_DESCRIPTION_CHARS = 1000;

function loggableDescription(message: string): string {
  return message.length > LOGGED_DESCRIPTION_CHARS ? `${message.slice(0, LOGGED_DESCRIPTION_CHARS)}...(${message.length} chars)` : message;
}

/**
 * A claimed client_id as it may appear in a log: strangers choose it, so it is cut to a
 * sane length and stripped of anything that is not printable ASCII (RFC 6749 appendix A.1).
 */
export function loggableClientId(id: string): string {
  const printable = id.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}...(${id.length} chars)` : printable;
}
