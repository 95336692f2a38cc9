/**
 * The HTTP face of an Engine (fastify): mounts the endpoint table (routes.ts) under the
 * base path, with the connection limits, proxy trust and error shapes of `server`. The
 * engine is read through a holder on every request, so a reload can swap it atomically.
 * However malformed a request, the answer is a clean JSON error, never a stack trace.
 */
import { createServer as createHttpServer } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { PATHS, type Engine } from '../engine.js';
import { internalErrorDescription, OAuthError } from '../errors.js';
import { clientErrorHandler, frameworkErrorHandler } from './client-errors.js';
import { deferredChildLogger } from './deferred-logger.js';
import { refuseRepeatedHeaders, refuseUrlQuery } from './guards.js';
import { mountMetrics } from './metrics-route.js';
import { overloadLimits, watchOverload } from './overload.js';
import { REQUEST_ID_HEADER, requestId } from './request-id.js';
import { basePath } from './paths.js';
import { SECURITY_HEADERS, refuse, sendError } from './reply.js';
import { ENDPOINTS, type Endpoint } from './routes.js';
import { directTokenRoute } from './direct-token-route.js';
import { attachServingState, ServingState } from './serving-state.js';

export interface EngineHolder {
  current: Engine;
}

/** How often Node looks for requests past their timeout. */
const CHECK_INTERVAL_MS = 1000;
const IDLE_MARGIN_MS = 2000;

export function createServer(holder: EngineHolder): FastifyInstance {
  const { server } = holder.current.config;
  const logger = holder.current.logger as FastifyBaseLogger;
  const requestTimeout = server.request_timeout * 1000;
  const limits = overloadLimits(server.overload);
  const serving = new ServingState(limits?.retryAfter ?? '1');
  const tokenRoute = directTokenRoute(holder, serving, { path: basePath(holder.current) + PATHS.token, bodyLimit: server.body_limit, trustProxy: server.trust_proxy });
  const app = Fastify({
    loggerInstance: logger,
    // The token endpoint writes its own line per request; fastify's would duplicate it
    // (and would log the URL, query included).
    // req_id: the key the request line uses too (engine/endpoints/request-log.ts).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'req_id' }),
    // request.log is made only when used (refusals, bugs): not a pino child per request.
    childLoggerFactory: deferredChildLogger,
    bodyLimit: server.body_limit,
    // Normalised at load (server-config.ts): false, a hop count, or addresses/CIDRs.
    trustProxy: server.trust_proxy,
    genReqId: requestId,
    // A draining server answers in our OAuth shape (ServingState), not fastify's; fastify
    // still marks those answers Connection: close.
    return503OnClosing: false,
    // A token request is small and quick: a client that sends it slowly, or keeps an idle
    // connection open, must not hold a socket for long (fastify's keep-alive default is 72 s).
    requestTimeout,
    keepAliveTimeout: server.keep_alive_timeout * 1000,
    // An idle socket is closed a little after a slow request would be: the margin lets an
    // answer given at the pipe deadline (request_timeout) still go out.
    connectionTimeout: requestTimeout + IDLE_MARGIN_MS,
    // Node checks request and header timeouts every 30 s by default, so a slow client kept
    // its socket for up to 30 s whatever request_timeout said (attack review M1).
    serverFactory: (handler) => {
      // The plain token request is answered before fastify (direct-token-route.ts).
      const http = createHttpServer({ connectionsCheckingInterval: CHECK_INTERVAL_MS, requestTimeout, headersTimeout: requestTimeout }, (request, response) => {
        if (!tokenRoute(request, response)) handler(request, response);
      });
      // fastify sets these only on a server it makes itself.
      http.keepAliveTimeout = server.keep_alive_timeout * 1000;
      http.setTimeout(requestTimeout + IDLE_MARGIN_MS);
      // A client may end its side once it has sent the request (Connection: close). Node
      // then drops the request unless its answer is already written, which, with tokens
      // signed off the event loop, it never is: answer first, then close (Node's own
      // half-open handling, marking the answer as the connection's last).
      (http as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
      return http;
    },
    clientErrorHandler: clientErrorHandler(logger),
    frameworkErrors: frameworkErrorHandler,
  });
  // Node answers a slow header block after min(60 s, requestTimeout); say it outright.
  app.server.headersTimeout = requestTimeout;
  // Connections beyond this are closed on arrival (Node's server.maxConnections).
  app.server.maxConnections = server.max_connections;

  // Bodies stay strings here; the token endpoint parses forms itself so that it can see
  // repeated parameters and answer any other media type with an OAuth error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  attachServingState(app, serving);
  if (limits) {
    const stop = watchOverload(limits, holder.current.logger, (cause) => serving.setOverload(cause));
    app.addHook('onClose', async () => stop());
  }
  app.addHook('onRequest', refuseRepeatedHeaders);
  // Callback form: an async hook costs a promise per response.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    reply.header(REQUEST_ID_HEADER, request.id);
    // While draining, an answer is its connection's last, or an idle keep-alive
    // connection would hold the drain until keep_alive_timeout.
    if (serving.draining) reply.header('connection', 'close');
    done(null, payload);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, new OAuthError('invalid_request', clientErrorMessage(error), { status }));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new OAuthError('server_error', internalErrorDescription(String(request.id))));
  });

  const methodsAt = mountEndpoints(app, holder, basePath(holder.current), serving);
  mountMetrics(app, holder, methodsAt);
  app.setNotFoundHandler((request, reply) => {
    const methods = methodsAt.get(request.url.split('?')[0]!);
    if (methods) {
      const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
      return refuse(request, reply, new OAuthError('method_not_allowed', `use ${allow}`, { headers: { allow } }), 'debug');
    }
    return refuse(request, reply, new OAuthError('not_found', 'no such endpoint'), 'debug');
  });

  return app;
}

/** Route every endpoint at each of its paths; returns the methods served at each path. */
function mountEndpoints(app: FastifyInstance, holder: EngineHolder, base: string, serving: ServingState): Map<string, Array<Endpoint['method']>> {
  const methodsAt = new Map<string, Array<Endpoint['method']>>();
  for (const endpoint of ENDPOINTS) {
    const paths = new Set([base + endpoint.path, ...(endpoint.alsoAt?.(holder.current) ?? [])]);
    for (const url of paths) {
      methodsAt.set(url, [...(methodsAt.get(url) ?? []), endpoint.method]);
      app.route({
        method: endpoint.method,
        url,
        ...(endpoint.formBody ? { onRequest: refuseUrlQuery } : {}),
        handler: async (request, reply) => {
          // One field read per request; set by the overload sampler and the drain.
          if (serving.refusing && !endpoint.keepsServing) return refuseWhileBusy(request, reply, serving);
          const { cacheControl } = endpoint;
          reply.header('cache-control', typeof cacheControl === 'string' ? cacheControl : cacheControl(holder.current));
          return endpoint.handle(holder.current, request, reply, serving);
        },
      });
    }
  }
  return methodsAt;
}

/**
 * 503 temporarily_unavailable (RFC 6749 section 5.2). Overload refusals are not logged one
 * by one (the sampler logs when overload begins and ends: a line per refusal would add to
 * the load); during a drain, each is a debug line.
 */
function refuseWhileBusy(request: FastifyRequest, reply: FastifyReply, serving: ServingState): FastifyReply {
  if (serving.draining) return refuse(request, reply, serving.refusing!, 'debug');
  return sendError(reply, serving.refusing!);
}

function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return 'request body too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return 'unsupported media type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return 'empty body';
    default: return 'malformed request';
  }
}
