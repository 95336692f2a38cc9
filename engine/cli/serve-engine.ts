/**
 * The two halves of `sluice serve`, shared by the one-process server and by each worker
 * of `--workers N`: load a config and tell what is wrong with it; then listen until a
 * signal, and drain.
 */
import { formatDiagnostic } from '../diagnostics.js';
import type { Engine } from '../engine.js';
import { drain } from '../http/drain.js';
import { onReload } from '../reload/outcomes.js';
import { listenForMetrics } from '../http/metrics-route.js';
import { createServer, type EngineHolder } from '../http/server.js';
import { loadConfigFile, loadConfigText, type LoadOptions } from '../load.js';
import { DEFAULT_START_TIMEOUT, describeStore } from '../store/config.js';
import { waitForStore } from '../store/wait.js';
import { demoClients } from './config-file.js';
import { guardProcess } from './process-guard.js';

/** After the drain, how long leftovers of cut requests may keep the process alive. */
const EXIT_GRACE_MS = 1000;

export interface LoadForServing {
  readonly file: string;
  /** The config text to load (a worker gets the primary's); default: read `file`. */
  readonly text?: string;
  readonly options: LoadOptions;
  /** Tell the config's warnings (stderr and the log): the primary does, its workers need not repeat them. */
  readonly announce: boolean;
  /** Fields on every log line of this process (under --workers: which process, its pid). */
  readonly logFields?: Readonly<Record<string, unknown>>;
}

export interface LoadedForServing {
  readonly engine: Engine;
  /** The files the config reads (the config file first), for --watch. */
  readonly files: readonly string[];
}

/**
 * The engine, ready to listen: the config loaded (errors printed as `check` prints them),
 * the process guarded, and a Redis store answering. Undefined (the caller exits 1) otherwise.
 */
export async function loadForServing({ file, text, options, announce, logFields }: LoadForServing): Promise<LoadedForServing | undefined> {
  const { diagnostics, engine, files } = text === undefined ? await loadConfigFile(file, options) : await loadConfigText(file, text, options);
  for (const d of diagnostics) if (announce || d.severity === 'error') process.stderr.write(formatDiagnostic(d) + '\n');
  if (!engine) return undefined;
  if (logFields) engine.logger.setBindings(logFields);
  guardProcess(engine.logger);
  if (announce) {
    // Warnings (a generated dev key, a secret in clear) also reach the JSON log, where operators look.
    for (const d of diagnostics) engine.logger.warn({ event: 'config_warning', file: d.file, line: d.line, col: d.col, code: d.code }, d.message);
    warnOfDemoClients(file, engine);
  }
  const store = engine.verifyContext.store;
  const storeConfig = engine.config.store;
  const unreachable = await waitForStore(store, engine.logger, storeConfig.start_timeout ?? DEFAULT_START_TIMEOUT);
  if (unreachable !== undefined) {
    process.stderr.write(`sluice: the store (${describeStore(storeConfig)}) did not answer within ${storeConfig.start_timeout ?? DEFAULT_START_TIMEOUT} s: ${unreachable}. Is Redis running there? (store in ${file}; store.start_timeout waits longer)\n`);
    await store.close?.();
    return undefined;
  }
  // Rotated keys: when each entered its state, and the managed keys, from the store (a
  // reload does the same). A managed key sealed under another encryption_key stops here.
  try {
    await engine.keysReady();
  } catch (error) {
    process.stderr.write(`sluice: ${(error as Error).message}\n`);
    await store.close?.();
    return undefined;
  }
  return { engine, files };
}

/** What the caller of listenUntilStopped adds to serving (reload: engine/reload/). */
export interface ServingHooks {
  /** It listens; `holder` is what a reload swaps. */
  onListening?(holder: EngineHolder): void;
  /** SIGTERM/SIGINT: the server drained, the store is about to close. */
  onStopped?(): Promise<void>;
}

/** Serve `engine` until SIGTERM or SIGINT, then drain; the exit code (1: the port is taken). */
export async function listenUntilStopped(engine: Engine, file: string, hooks: ServingHooks = {}): Promise<number> {
  const store = engine.verifyContext.store;
  const holder: EngineHolder = { current: engine };
  const app = createServer(holder);
  const { host, port: listenPort } = engine.config.server;
  try {
    await app.listen({ host, port: listenPort });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    process.stderr.write(`sluice: port ${listenPort} is in use${host ? ` on ${host}` : ''}; choose another with --port or server.port\n`);
    await app.close();
    await store.close?.();
    return 1;
  }
  // The metrics port, if any, listens with the server, and stops with it.
  engine.metrics?.process.collectProcessMetrics();
  const metricsServer = await listenForMetrics(holder).catch((error: NodeJS.ErrnoException) => {
    process.stderr.write(`sluice: cannot serve metrics on port ${engine.config.metrics.port}: ${error.code ?? error.message}; choose another metrics.port\n`);
    return null;
  });
  if (metricsServer === null) {
    await app.close();
    await store.close?.();
    return 1;
  }
  const address = app.server.address();
  engine.logger.info({ event: 'listening', issuer: engine.issuer, address, ...(metricsServer ? { metrics_address: metricsServer.address() } : {}), clients: engine.clients.size, config: file }, 'sluice is serving');
  hooks.onListening?.(holder);
  // Each reload of this process is counted where it swaps (here and in each worker), not in a primary.
  onReload((outcome) => holder.current.metrics?.process.recordReload(outcome));
  await new Promise<void>((resolve) => {
    let stopping = false;
    // Idempotent, and never once(): Ctrl-C signals a worker and its primary, which then
    // forwards SIGTERM; a second signal must not find the default handler (exit by signal).
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      const timeout = holder.current.config.server.shutdown_timeout;
      engine.logger.info({ event: 'stopping', signal, shutdown_timeout_s: timeout }, 'draining');
      // The store after the server: requests in flight may still need it. A reload may have
      // swapped in another one.
      metricsServer?.close();
      drain(app, timeout, engine.logger)
        .then((result) => engine.logger.info({ event: 'stopped', connections_cut: result.cut }, 'drained'))
        .finally(() => hooks.onStopped?.())
        .finally(() => holder.current.verifyContext.store.close?.())
        .then(resolve, resolve);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  // A request cut at the deadline may leave work behind (an upstream call, its timer):
  // once drained, that must not keep the process alive. Unref'd: a process with nothing
  // left exits at once, without it.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  return 0;
}

/** The demo's secret is in the README: serving it must not go unnoticed (stderr and the log). */
function warnOfDemoClients(file: string, engine: Engine): void {
  const clients = demoClients(file, engine.config.rps);
  if (clients.length === 0) return;
  const message = `serving the demo client${clients.length > 1 ? 's' : ''} ${clients.map((c) => `'${c}'`).join(', ')} whose secret is published: anyone can get tokens. For anything but a local try-out, serve your own config (sluice serve -c FILE)`;
  process.stderr.write(`sluice: WARNING: ${message}\n`);
  engine.logger.warn({ event: 'demo_client', clients }, message);
}
