/**
 * Where Prometheus scrapes: `metrics.path` on the main server (the default), or on a port
 * of its own (`metrics.port`), then not on the main one. Where they are served is fixed
 * when the server starts; what is served is the current engine's (a reload that turns
 * metrics off answers 404). The path is the configured one, not under server.base_path:
 * Prometheus scrapes each instance directly.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import type { Endpoint } from './routes.js';
import type { EngineHolder } from './server.js';
import { sendError } from './reply.js';

/** The exposition of the current engine's metrics, or undefined when they are off. */
async function exposition(engine: Engine): Promise<{ contentType: string; text: string } | undefined> {
  return engine.metrics?.process.exposition();
}

const NOT_FOUND = { error: 'not_found', error_description: 'no such endpoint' };

/** On the main server, unless the config gives metrics a port of their own. */
export function mountMetrics(app: FastifyInstance, holder: EngineHolder, methodsAt: Map<string, Array<Endpoint['method']>>): void {
  const config = holder.current.config.metrics;
  if (!config.enabled || config.port !== undefined) return;
  methodsAt.set(config.path, ['GET']);
  app.get(config.path, async (_request, reply) => {
    const answer = await exposition(holder.current);
    if (!answer) return sendError(reply, new OAuthError('not_found', 'no such endpoint'));
    return reply.code(200).headers({ 'content-type': answer.contentType, 'cache-control': 'no-store' }).send(answer.text);
  });
}

/**
 * The metrics port, when the config sets one: a bare HTTP server that answers GET at
 * metrics.path and 404 elsewhere. Undefined when there is none. Listens before it returns.
 */
export async function listenForMetrics(holder: EngineHolder): Promise<Server | undefined> {
  const { metrics: config, server } = holder.current.config;
  if (!config.enabled || config.port === undefined) return undefined;
  const http = createHttpServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
    };
    const json = 'application/json; charset=utf-8';
    if (path !== config.path) return send(404, json, JSON.stringify(NOT_FOUND));
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, json, JSON.stringify({ error: 'method_not_allowed', error_description: 'use GET' }));
    exposition(holder.current).then(
      (answer) => (answer ? send(200, answer.contentType, answer.text) : send(404, json, JSON.stringify(NOT_FOUND))),
      () => send(500, json, JSON.stringify({ error: 'server_error', error_description: 'metrics could not be collected' })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: config.host ?? server.host, port: config.port }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  return http;
}
