/**
 * Reload under `serve --workers N`, run by the primary (SIGHUP, or --watch, which watches
 * in the primary only): it loads and checks the new config once, to the side of its own
 * engine, by the same Reloader as a one-process server; a refused config is told once, as
 * `check` tells it, and no worker hears of it. An accepted one is sent to every worker
 * that serves (its text and the `generated` keys, which stay the same), each swaps it in
 * and answers; the primary logs one summary. Workers started later (a crash, a restart)
 * start on this config; one that was starting during the reload is told once it listens.
 */
import { readFileSync } from 'node:fs';
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Engine } from '../engine.js';
import { configUnreadable } from '../load.js';
import type { EngineHolder } from '../http/server.js';
import { logReload } from '../reload/log-report.js';
import { OneAtATime } from '../reload/one-at-a-time.js';
import { reloaded } from '../reload/outcomes.js';
import { Reloader, type ReloadReport, type ReloadTrigger } from '../reload/reloader.js';
import { listenerSettings } from '../reload/server-settings.js';
import { ConfigWatcher } from '../reload/watch.js';
import type { Store } from '../store/types.js';
import type { GeneratedKeys } from './handed-keys.js';
import type { ReloadedMessage, ReloadMessage, StartMessage } from './messages.js';

/** A worker waiting for a new store may wait its start_timeout; past this it is stuck. */
const ANSWER_TIMEOUT_MS = 120_000;

/** What the reload needs of the cluster (primary.ts). */
export interface ReloadableCluster {
  /** Workers that listen now. */
  serving(): Worker[];
  /** What workers start on from now on, and the store that answers their IPC calls (undefined: keep the one there is). */
  serveFrom(start: StartMessage, store: Store | undefined): void;
}

export interface ClusterReloadOptions {
  readonly file: string;
  readonly text: string;
  readonly start: StartMessage;
  readonly keys: GeneratedKeys;
  readonly files: readonly string[];
  readonly watch: boolean;
}

interface Answer {
  readonly worker: Worker;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export class ClusterReload {
  private readonly holder: EngineHolder;
  private readonly reloader: Reloader;
  private readonly queue = new OneAtATime(() => this.run());
  private readonly watcher: ConfigWatcher | undefined;
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  private readonly logger: Logger;
  private trigger: ReloadTrigger = 'SIGHUP';
  /** The text the running reload checks (read once, so the workers get exactly what was checked). */
  private text = '';
  private start: StartMessage;
  private nextId = 1;
  private stopped = false;

  constructor(private readonly cluster: ReloadableCluster, engine: Engine, private readonly options: ClusterReloadOptions) {
    this.holder = { current: engine };
    this.logger = engine.logger;
    this.start = options.start;
    const source = { file: options.file, options: { server: options.start.server, generateKey: options.keys.generate } };
    this.reloader = new Reloader(this.holder, () => ({ ...source, text: this.text }));
    this.watcher = options.watch ? new ConfigWatcher(options.files, () => void this.reload('watch'), this.logger) : undefined;
  }

  /** Reload now, or once more after the reload under way. */
  reload(trigger: ReloadTrigger): Promise<ReloadReport> {
    this.trigger = trigger;
    return this.queue.request();
  }

  /** A worker's answer (primary.ts routes `sluice:reloaded` here). */
  answered(worker: Worker, message: ReloadedMessage): void {
    this.waiting.get(`${worker.id}:${message.id}`)?.({ worker, ok: message.ok === true, problems: Array.isArray(message.problems) ? message.problems.map(String) : [] });
  }

  /** A worker that exited answers nothing: its reloads end as failed. */
  exited(worker: Worker): void {
    for (const [key, resolve] of this.waiting) if (key.startsWith(`${worker.id}:`)) resolve({ worker, ok: false, problems: ['the worker exited'] });
  }

  /** A worker that listens now but started on an older config (it was starting during a reload). */
  catchUp(worker: Worker, startedOn: StartMessage): void {
    if (startedOn === this.start) return;
    void this.ask(worker).then((answer) => {
      if (!answer.ok) this.logger.error({ event: 'reload_failed', worker: worker.id, problems: answer.problems }, 'a worker that started during a reload could not load the current config');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    await this.reloader.stop();
  }

  private async run(): Promise<ReloadReport> {
    const trigger = this.trigger;
    const previousStore = this.holder.current.verifyContext.store;
    if (this.stopped) return { outcome: 'failure', trigger, files: [], reason: 'the server is stopping' };
    try {
      this.text = readFileSync(this.options.file, 'utf8');
    } catch (error) {
      const { diagnostics, files } = configUnreadable(this.options.file, error);
      return this.tell({ outcome: 'failure', trigger, files, diagnostics });
    }
    const checked = await this.reloader.reload(trigger);
    if (checked.files.length > 0) this.watcher?.watch(checked.files);
    if (checked.outcome === 'failure') return this.tell(checked);

    const engine = this.holder.current;
    const storeInPrimary = engine.config.store.type === 'memory';
    const store = engine.verifyContext.store;
    // With Redis the primary only checked that a new one answers; the workers connect themselves.
    if (!storeInPrimary && store !== previousStore) await store.close?.();
    this.start = { ...this.start, text: this.text, generatedKeys: this.options.keys.toPem(), storeInPrimary, server: listenerSettings(engine) };
    this.cluster.serveFrom(this.start, storeInPrimary ? store : undefined);

    const workers = this.cluster.serving();
    const answers = await Promise.all(workers.map((worker) => this.ask(worker)));
    const failed = answers.filter((a) => !a.ok);
    if (failed.length === 0) return this.tell(checked, { workers: workers.length });
    for (const { problems } of failed) for (const line of problems) process.stderr.write(`${line}\n`);
    const report: ReloadReport = { ...checked, outcome: 'failure', reason: `${failed.length} of ${workers.length} workers could not reload` };
    this.logger.error(
      { event: 'reload_failed', trigger, workers_reloaded: workers.length - failed.length, workers_failed: failed.map((a) => ({ worker: a.worker.id, pid: a.worker.process.pid, problems: a.problems })) },
      `${failed.length} of ${workers.length} workers could not reload; they serve the previous config`,
    );
    return this.emit(report);
  }

  private tell(report: ReloadReport, extra: Record<string, unknown> = {}): ReloadReport {
    logReload(this.logger, report, extra);
    return this.emit(report);
  }

  /** The cluster's outcome, once (the primary's check and the workers' answers together). */
  private emit(report: ReloadReport): ReloadReport {
    reloaded(report);
    return report;
  }

  /** Send the current config to `worker`; resolves with its answer (or a failure when it exits or hangs). */
  private ask(worker: Worker): Promise<Answer> {
    const id = this.nextId++;
    const key = `${worker.id}:${id}`;
    const { text, generatedKeys, storeInPrimary } = this.start;
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => done({ worker, ok: false, problems: [`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`] }), ANSWER_TIMEOUT_MS).unref();
      const done = (answer: Answer) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(answer);
      };
      this.waiting.set(key, done);
      const message: ReloadMessage = { type: 'sluice:reload', id, text, generatedKeys, storeInPrimary };
      try {
        worker.send(message);
      } catch (error) {
        done({ worker, ok: false, problems: [`cannot reach the worker: ${(error as Error).message}`] });
      }
    });
  }
}
