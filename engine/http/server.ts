/**
 * The HTTP face of an Engine (fastify): discovery, JWKS and the token endpoint. The
 * engine is read through a holder on every request, so a reload can swap it atomically.
 * However malformed a request, the answer is a clean JSON error, never a stack trace.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Engine } from '../engine.js';
import { PATHS } from '../engine.js';
import { OAuthError } from '../errors.js';
import { handleTokenRequest } from '../token-endpoint.js';

export interface EngineHolder {
  current: Engine;
}

function sendError(reply: FastifyReply, error: OAuthError): FastifyReply {
  return reply.code(error.status).headers({ 'cache-control': 'no-store', ...error.headers }).send(error.toJSON());
}

export function createServer(holder: EngineHolder): FastifyInstance {
  const { server } = holder.current.config;
  const app = Fastify({
    loggerInstance: holder.current.logger as FastifyBaseLogger,
    // The token endpoint writes its own line per request; fastify's would duplicate it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: server.body_limit,
    trustProxy: server.trust_proxy,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // A client that sends its request slowly must not hold a socket for ever.
    requestTimeout: 10_000,
    connectionTimeout: 30_000,
  });

  // Bodies stay strings here; the token endpoint parses forms itself so that it can see
  // repeated parameters and answer any other media type with an OAuth error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, new OAuthError('invalid_request', clientErrorMessage(error), { status }));
    }
    request.log.error({ err: error, req_id: request.id }, 'unhandled error');
    return sendError(reply, new OAuthError('server_error', `internal error (request ${request.id}); see the server log`));
  });
  app.setNotFoundHandler((request, reply) => {
    const known = Object.values(PATHS).includes(request.url.split('?')[0] as never);
    if (known) {
      const allow = request.url.startsWith(PATHS.token) ? 'POST' : 'GET, HEAD';
      return sendError(reply, new OAuthError('method_not_allowed', `use ${allow}`, { headers: { allow } }));
    }
    return sendError(reply, new OAuthError('not_found', 'no such endpoint'));
  });

  const metadata = async () => holder.current.metadata;
  app.get(PATHS.openidConfiguration, metadata);
  app.get(PATHS.oauthMetadata, metadata);
  app.get(PATHS.jwks, async (_request, reply) => {
    reply.header('content-type', 'application/jwk-set+json; charset=utf-8').header('cache-control', 'public, max-age=300');
    return holder.current.jwks;
  });

  app.post(PATHS.token, async (request, reply) => {
    const answer = await handleTokenRequest(holder.current, {
      id: String(request.id),
      body: typeof request.body === 'string' ? request.body : '',
      contentType: request.headers['content-type'],
      authorization: request.headers.authorization,
      ip: request.ip,
    });
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });

  return app;
}

function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return 'request body too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return 'unsupported media type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return 'empty body';
    default: return 'malformed request';
  }
}
