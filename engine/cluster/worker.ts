/**
 * A worker of `sluice serve --workers N` (node:cluster runs this file; see primary.ts).
 * It asks the primary what to serve, loads that config text with the keys the primary
 * generated and, for `store: memory`, the primary's store over IPC; then it listens on
 * the shared port until SIGTERM and drains. A reload is the primary's to decide: it sends
 * the new config text (checked already), the worker swaps it in and says how it went.
 * Its log lines say which worker it is.
 */
import cluster from 'node:cluster';
import { listenUntilStopped, loadForServing } from '../cli/serve-engine.js';
import { tuneV8ForServing } from '../cli/v8-tuning.js';
import { formatDiagnostic } from '../diagnostics.js';
import type { EngineHolder } from '../http/server.js';
import type { LoadOptions } from '../load.js';
import { reloaded } from '../reload/outcomes.js';
import type { ReloadSource } from '../reload/prepare.js';
import { Reloader, type ReloadReport } from '../reload/reloader.js';
import { handedKeys } from './handed-keys.js';
import { isMessage, type HelloMessage, type ListeningMessage, type ReloadedMessage, type ReloadMessage, type StartMessage } from './messages.js';
import { workerMetrics } from './metrics-protocol.js';
import { IpcStore, processChannel } from './store-protocol.js';

/** One IPC store per worker, made when the store is first the primary's (at start or by a reload). */
let ipcStore: IpcStore | undefined;
const primaryStore = (): IpcStore => (ipcStore ??= new IpcStore(processChannel()));

/** This worker's metrics, answering the primary's scrapes; one per process, kept across reloads. */
let metrics: ReturnType<typeof workerMetrics> | undefined;

function loadOptions(start: StartMessage, keys: ReloadMessage['generatedKeys'], storeInPrimary: boolean): LoadOptions {
  metrics ??= workerMetrics();
  return { server: start.server, generateKey: handedKeys(keys), metrics, ...(storeInPrimary ? { store: primaryStore() } : {}) };
}

async function serveWorker(start: StartMessage): Promise<number> {
  tuneV8ForServing();
  const loaded = await loadForServing({
    file: start.file,
    text: start.text,
    options: loadOptions(start, start.generatedKeys, start.storeInPrimary),
    announce: false,
    logFields: { process: 'worker', worker: cluster.worker?.id, pid: process.pid },
  });
  if (!loaded) return 1;
  let reloader: Reloader | undefined;
  return listenUntilStopped(loaded.engine, start.file, {
    onListening(holder) {
      reloader = reloadWhenTold(holder, start);
      stopBeforeListening(false);
      // SIGHUP is the primary's: it checks the config once and tells every worker.
      process.on('SIGHUP', ignore);
      const listening: ListeningMessage = { type: 'sluice:listening' };
      process.send?.(listening);
    },
    onStopped: async () => reloader?.stop(),
  });
}

/** Reload on the primary's `sluice:reload`, one at a time, and answer each with `sluice:reloaded`. */
function reloadWhenTold(holder: EngineHolder, start: StartMessage): Reloader {
  let source: ReloadSource = { file: start.file, text: start.text, options: loadOptions(start, start.generatedKeys, start.storeInPrimary) };
  const reloader = new Reloader(holder, () => source);
  process.on('message', (message: unknown) => {
    if (!isMessage<ReloadMessage>(message, 'sluice:reload')) return;
    source = { file: start.file, text: message.text, options: loadOptions(start, message.generatedKeys, message.storeInPrimary) };
    void reloader.reload('primary').then((report) => {
      reloaded(report);
      const answer: ReloadedMessage = { type: 'sluice:reloaded', id: message.id, ok: report.outcome === 'success', problems: problems(report) };
      if (process.connected) process.send?.(answer);
    });
  });
  return reloader;
}

function problems(report: ReloadReport): string[] {
  return [...(report.diagnostics ?? []).map(formatDiagnostic), ...(report.reason === undefined ? [] : [report.reason])];
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
