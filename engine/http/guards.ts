/**
 * Requests the HTTP layer refuses before any endpoint sees them: they are ambiguous, or
 * carry what must not be sent that way. Refusing beats guessing which reading was meant.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { InvalidRequest } from '../errors.js';
import { refuse } from './reply.js';

// Node keeps the first of repeated headers it treats as single-valued; a proxy in front
// may have kept the last, so the two would disagree on who the client is.
const SINGLE_VALUED = ['authorization', 'content-type'];

/** The first of SINGLE_VALUED that the raw header list repeats, if any. */
export function repeatedSingleValuedHeader(raw: readonly string[]): string | undefined {
  for (const name of SINGLE_VALUED) {
    let count = 0;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name && ++count > 1) return name;
    }
  }
  return undefined;
}

// Both hooks take fastify's callback form: on every request, an async hook would cost a
// promise and a turn of the microtask queue to say "go on".
export function refuseRepeatedHeaders(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const repeated = repeatedSingleValuedHeader(request.raw.rawHeaders);
  if (repeated) {
    refuse(request, reply, InvalidRequest(`more than one ${repeated} header`));
    return;
  }
  done();
}

/** RFC 6749 section 2.3.1: client credentials are not sent in the request URI. */
export function refuseUrlQuery(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const query = request.url.indexOf('?');
  if (query < 0 || query === request.url.length - 1) {
    done();
    return;
  }
  // A GET (userinfo) takes its token in the Authorization header, a POST its parameters in the body.
  const where = request.method === 'GET' ? 'send the token in the Authorization header (RFC 6750 section 2.1)' : 'send them in the form body (RFC 6749 section 2.3.1)';
  refuse(request, reply, InvalidRequest(`parameters in the URL query are not accepted; ${where}`));
}
