/**
 * The last line of defence of `sluice serve`: a plugin bug must not take the server down.
 *
 * - An unhandled rejection (a valve that forgot `await`, a promise it let go) is logged and
 *   the server keeps serving: the rejected promise belongs to one request, and the runner
 *   has already answered it; nothing shared is left half-done.
 * - An uncaught exception is logged and the process exits 1. Node documents that after one
 *   the process is in an undefined state (a throw can leave any callback half-run), so the
 *   safe move is to stop and let the supervisor (systemd, Kubernetes) restart a clean one.
 *
 * Only the error's name, message, code and stack are logged: a rejection reason is
 * whatever a plugin chose, and its other properties could hold request data or secrets.
 */
import type { Logger } from 'pino';

function describe(reason: unknown): Record<string, unknown> {
  if (!(reason instanceof Error)) return { type: typeof reason };
  const { code } = reason as { code?: unknown };
  return { type: reason.name, message: reason.message, ...(typeof code === 'string' ? { code } : {}), stack: reason.stack };
}

let guarded = false;

export function guardProcess(logger: Logger): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (reason) => {
    logger.error({ event: 'unhandled_rejection', err: describe(reason) }, 'a promise was rejected and nothing handled it (a plugin bug?); still serving');
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ event: 'uncaught_exception', err: describe(error) }, 'uncaught exception: exiting, the process state is unknown');
    process.exit(1);
  });
}
