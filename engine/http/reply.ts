/** How the HTTP layer answers: one error shape, and the headers every response carries. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../errors.js';

/** On every response: no browser may guess a JSON answer to be HTML or script. */
export const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/** RFC 6749 section 5.2 shape; an error is never cached, whatever the endpoint. */
export function sendError(reply: FastifyReply, error: OAuthError): FastifyReply {
  return reply.code(error.status).headers(Object.assign({}, SECURITY_HEADERS, { 'cache-control': 'no-store' }, error.headers)).send(error.toJSON());
}

/**
 * Refuse a request before it reaches an endpoint, with one log line. The path is logged
 * without its query (which may hold credentials, RFC 6749 section 2.3.1) and cut short,
 * since a caller chooses it.
 */
export function refuse(request: FastifyRequest, reply: FastifyReply, error: OAuthError, level: 'info' | 'debug' = 'info'): FastifyReply {
  const path = request.url.split('?')[0]!;
  request.log[level]({ event: 'http_refused', method: request.method, path: path.length > 100 ? `${path.slice(0, 100)}…` : path, error: error.code, error_description: error.message, remote_addr: request.ip }, 'request refused');
  return sendError(reply, error);
}
