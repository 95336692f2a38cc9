/**
 * POST /token answered straight from node:http, before fastify sees the request: the one
 * endpoint on the hot path (issue 14). fastify's routing, hooks, content-type parsing and
 * reply object cost about a tenth of a token's CPU; here the request goes to the same
 * endpoint (handleTokenRequest) and the answer carries the same status, headers and body.
 *
 * Only the plain case comes this way: a POST to the token path exactly (no query), with a
 * form Content-Type and a Content-Length within body_limit, no repeated Authorization or
 * Content-Type, no proxy to trust, while the server is serving. Everything else (a query
 * to refuse, a chunked or oversized body, a repeated header, a drain or overload refusal,
 * trust_proxy) goes to fastify, which answers it as before: one place decides each refusal.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HttpAnswer } from '../endpoints/handler.js';
import { internalErrorDescription } from '../errors.js';
import { handleTokenRequest } from '../token-endpoint.js';
import { REQUEST_ID_HEADER, requestId } from './request-id.js';
import { SECURITY_HEADERS } from './reply.js';
import { repeatedSingleValuedHeader } from './guards.js';
import type { EngineHolder } from './server.js';
import type { ServingState } from './serving-state.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/**
 * The form media type, parameters or not: any other Content-Type goes to fastify, which
 * answers one that is no media type at all (empty, `;;`, a list) 415 before any endpoint.
 */
const FORM = /^application\/x-www-form-urlencoded[\t ]*(?:;|$)/i;

export interface DirectRouteOptions {
  /** The token endpoint's path (base path + /token), fixed for the server's life. */
  readonly path: string;
  readonly bodyLimit: number;
  /** server.trust_proxy: the direct route serves only when no proxy is trusted. */
  readonly trustProxy: unknown;
}

/** Returns the request handler in front of fastify's: true when it took the request. */
export function directTokenRoute(holder: EngineHolder, serving: ServingState, options: DirectRouteOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  if (options.trustProxy !== false) return () => false;
  const { path, bodyLimit } = options;
  return function takeTokenRequest(request, response) {
    if (request.url !== path || request.method !== 'POST' || serving.refusing) return false;
    const { headers } = request;
    if (!FORM.test(headers['content-type'] ?? '') || headers['transfer-encoding'] !== undefined) return false;
    const length = Number(headers['content-length']);
    if (!(length >= 0 && length <= bodyLimit) || repeatedSingleValuedHeader(request.rawHeaders) !== undefined) return false;
    serve(holder, serving, request, response);
    return true;
  };
}

function serve(holder: EngineHolder, serving: ServingState, request: IncomingMessage, response: ServerResponse): void {
  const id = requestId(request);
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    body += chunk;
  });
  // A caller that goes away mid-body gets nothing: there is no one to answer.
  request.on('error', () => undefined);
  request.on('end', () => {
    const engine = holder.current;
    const http = { id, body, contentType: request.headers['content-type'], authorization: request.headers.authorization, ip: request.socket.remoteAddress ?? '' };
    const failed = (error: unknown) => {
      // handleTokenRequest answers every failure itself; this is a bug of ours (or a body
      // that cannot be written as JSON): answered as fastify's error handler would.
      (engine.logger as Logger).error({ req_id: id, err: error }, 'unhandled error');
      if (response.headersSent) return;
      const answer = internalError(id);
      send(response, serving, id, answer, JSON.stringify(answer.body));
    };
    handleTokenRequest(engine, http)
      .then((answer) => send(response, serving, id, answer, JSON.stringify(answer.body)))
      .catch(failed);
  });
}

function internalError(id: string): HttpAnswer {
  return { status: 500, headers: { 'cache-control': 'no-store' }, body: { error: 'server_error', error_description: internalErrorDescription(id) } };
}

function send(response: ServerResponse, serving: ServingState, id: string, answer: HttpAnswer, payload: string): void {
  if (response.destroyed) return;
  const headers: Record<string, string | number> = {
    'cache-control': 'no-store',
    ...answer.headers,
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(payload),
    ...SECURITY_HEADERS,
    [REQUEST_ID_HEADER]: id,
  };
  // While draining, an answer is its connection's last (as server.ts's onSend says).
  if (serving.draining) headers.connection = 'close';
  response.writeHead(answer.status, headers);
  response.end(payload);
}
