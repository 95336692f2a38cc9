/**
 * The request id: on every log line of a request (`req_id`) and in the `x-request-id`
 * response header. A proxy or caller that sends `x-request-id` gets its own id back, so
 * one request can be followed across services; but a caller chooses that text, so only
 * a short, plain one is taken (what tracing systems send: UUIDs, hex, dotted or colon
 * separated ids). Anything else is replaced by a generated id, never logged.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** fastify's `genReqId`. */
export function requestId(request: IncomingMessage): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  // randomUUID draws from a cache Node fills 128 ids at a time (disableEntropyCache: false),
  // so a request id is not a call into OpenSSL.
  return typeof offered === 'string' && ACCEPTED.test(offered) ? offered : randomUUID();
}
