/**
 * A worker of `sluice serve --workers N` (node:cluster runs this file; see primary.ts).
 * It asks the primary what to serve, loads that config text with the keys the primary
 * generated and, for `store: memory`, the primary's store over IPC; then it listens on
 * the shared port until SIGTERM and drains. Its log lines say which worker it is.
 */
import cluster from 'node:cluster';
import { listenUntilStopped, loadForServing } from '../cli/serve-engine.js';
import { handedKeys } from './handed-keys.js';
import { isMessage, type HelloMessage, type ListeningMessage, type StartMessage } from './messages.js';
import { workerMetrics } from './metrics-protocol.js';
import { IpcStore, processChannel } from './store-protocol.js';

async function serveWorker(start: StartMessage): Promise<number> {
  const store = start.storeInPrimary ? new IpcStore(processChannel()) : undefined;
  const engine = await loadForServing({
    file: start.file,
    text: start.text,
    options: { server: start.server, generateKey: handedKeys(start.generatedKeys), metrics: workerMetrics(), ...(store ? { store } : {}) },
    announce: false,
    logFields: { process: 'worker', worker: cluster.worker?.id, pid: process.pid },
  });
  if (!engine) return 1;
  return listenUntilStopped(engine, start.file, () => {
    stopBeforeListening(false);
    const listening: ListeningMessage = { type: 'sluice:listening' };
    process.send?.(listening);
  });
}

/** Until it listens a worker has nothing to drain: SIGTERM/SIGINT end it at once (exit 0), SIGHUP is ignored. */
const exitNow = () => process.exit(0);
const ignore = () => undefined;
function stopBeforeListening(on: boolean): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) (on ? process.on : process.off).call(process, signal, exitNow);
  (on ? process.on : process.off).call(process, 'SIGHUP', ignore);
}

if (cluster.isWorker) {
  stopBeforeListening(true);
  let started = false;
  process.on('message', (message: unknown) => {
    if (started || !isMessage<StartMessage>(message, 'sluice:start')) return;
    started = true;
    serveWorker(message).then(
      (code) => process.exit(code),
      (error: unknown) => {
        process.stderr.write(`sluice: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  });
  const hello: HelloMessage = { type: 'sluice:hello' };
  process.send?.(hello);
}
