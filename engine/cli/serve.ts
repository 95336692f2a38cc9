/** `sluice serve [FILE | -c FILE] [--host H] [--port N]`: refuses an invalid config like check. */
import { formatDiagnostic } from '../diagnostics.js';
import type { Engine } from '../engine.js';
import { createServer } from '../http/server.js';
import { loadConfigFile } from '../load.js';
import { DEFAULT_START_TIMEOUT, describeStore } from '../store/config.js';
import { waitForStore } from '../store/wait.js';
import { chooseConfig, demoClients, fallbackNote } from './config-file.js';
import { guardProcess } from './process-guard.js';
import { parse, UsageError } from './usage.js';

export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string' } }, true);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError('--port must be 0..65535');
  const { file, fellBack } = chooseConfig(values.config, positionals);
  if (fellBack) process.stderr.write(fallbackNote('serving'));
  const { diagnostics, engine } = await loadConfigFile(file, { server: { ...(values.host ? { host: values.host } : {}), ...(port !== undefined ? { port } : {}) } });
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (!engine) return 1;
  guardProcess(engine.logger);
  // Warnings (a generated dev key, a secret in clear) also reach the JSON log, where operators look.
  for (const d of diagnostics) engine.logger.warn({ event: 'config_warning', file: d.file, line: d.line, col: d.col, code: d.code }, d.message);
  warnOfDemoClients(file, engine);
  const store = engine.verifyContext.store;
  const storeConfig = engine.config.store;
  const unreachable = await waitForStore(store, engine.logger, storeConfig.start_timeout ?? DEFAULT_START_TIMEOUT);
  if (unreachable !== undefined) {
    process.stderr.write(`sluice: the store (${describeStore(storeConfig)}) did not answer within ${storeConfig.start_timeout ?? DEFAULT_START_TIMEOUT} s: ${unreachable}. Is Redis running there? (store in ${file}; store.start_timeout waits longer)\n`);
    await store.close?.();
    return 1;
  }

  const holder = { current: engine };
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
  const address = app.server.address();
  engine.logger.info({ event: 'listening', issuer: engine.issuer, address, clients: engine.clients.size, config: file }, 'sluice is serving');

  // Hot reload has its own issue; until then SIGHUP must not kill the server (its default).
  process.on('SIGHUP', () => engine.logger.warn('reload on SIGHUP is not supported yet; restart to apply config changes'));
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      engine.logger.info({ event: 'stopping', signal }, 'draining');
      // The store after the server: requests in flight may still need it.
      app.close().finally(() => store.close?.()).then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
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
