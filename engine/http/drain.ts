/**
 * A bounded drain, for SIGTERM/SIGINT: stop accepting connections, close idle keep-alive
 * connections at once, let requests in flight finish (each answer then closes its
 * connection), and after `timeoutSeconds` close whatever is still open, so that a request
 * that never ends cannot hold a shutdown (and a rolling deploy) forever.
 *
 * From its start, /readyz answers 503 and any other request still arriving on an open
 * connection gets 503 temporarily_unavailable with Connection: close (serving-state.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { servingStateOf } from './serving-state.js';

export interface DrainResult {
  /** Connections closed at the deadline with a request still unanswered. */
  readonly cut: number;
}

export async function drain(app: FastifyInstance, timeoutSeconds: number, logger: Logger): Promise<DrainResult> {
  servingStateOf(app).startDraining();
  // fastify closes the listener and the idle connections (forceCloseConnections: 'idle').
  const closed = app.close().then(() => 'closed' as const);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), timeoutSeconds * 1000);
  });
  const first = await Promise.race([closed, deadline]);
  clearTimeout(timer);
  if (first === 'closed') return { cut: 0 };
  const cut = await openConnections(app);
  logger.warn({ event: 'drain_timeout', shutdown_timeout_s: timeoutSeconds, connections_cut: cut }, `requests still unanswered after ${timeoutSeconds} s (server.shutdown_timeout): closing their connections`);
  app.server.closeAllConnections();
  await closed;
  return { cut };
}

function openConnections(app: FastifyInstance): Promise<number> {
  return new Promise((resolve) => app.server.getConnections((error, count) => resolve(error ? 0 : count)));
}
