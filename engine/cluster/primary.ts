/**
 * `sluice serve --workers N`: the primary process. It loads and checks the config once
 * (errors printed as `check` prints them, exit 1 before any worker exists), generates the
 * `generated` keys, and forks N workers that serve the same port (node:cluster hands the
 * connections round-robin). What must agree across workers is kept in one place:
 *
 * - the signing keys of `generated` keystores: made here, handed to every worker;
 * - the store (assertion ids, revocations, opaque tokens, rate-limit counters, the token
 *   cache with `store: true`): with `memory`, the one MemoryStore lives here and workers
 *   reach it over IPC (store-protocol.ts); with `redis`, every worker connects itself.
 *
 * Caches stay per worker: verified secrets, remote JWKS, HttpRequest answers, TokenCache
 * without `store: true`; so do the per-client KDF queues (fairness holds per worker).
 *
 * A worker that dies after it listened is replaced, with a back-off; one that dies before
 * the cluster first listened stops everything (exit 1: the same config would fail again).
 * SIGTERM/SIGINT go to every worker, which drains (within server.shutdown_timeout) and
 * exits; then the primary exits 0. A worker still running after that and a grace is killed.
 * SIGHUP (and --watch) reloads: the primary checks the new config once and tells every
 * worker (primary-reload.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { loadForServing } from '../cli/serve-engine.js';
import type { Store } from '../store/types.js';
import { GeneratedKeys } from './handed-keys.js';
import { isMessage, type HelloMessage, type ListeningMessage, type MetricsRequest, type ReloadedMessage, type StartMessage, type StoreCall } from './messages.js';
import { ClusterMetrics } from './metrics-protocol.js';
import { ClusterReload, type ReloadableCluster } from './primary-reload.js';
import { RestartBackoff } from './restart-backoff.js';
import { answerStoreCall } from './store-protocol.js';

export interface PrimaryOptions {
  readonly file: string;
  readonly server: { host?: string; port?: number };
  readonly workers: number;
  /** Reload when a file the config reads changes (watched here, in the primary only). */
  readonly watch: boolean;
}

export async function servePrimary({ file, server, workers, watch }: PrimaryOptions): Promise<number> {
  // Until the workers serve, a SIGHUP (its default: exit) has nothing to reload.
  const ignore = () => undefined;
  process.on('SIGHUP', ignore);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // loadForServing reads it again and reports why it cannot, as `check` does.
  }
  const keys = new GeneratedKeys();
  const loaded = await loadForServing({
    file,
    ...(text === undefined ? {} : { text }),
    options: { server, generateKey: keys.generate },
    announce: true,
    logFields: { process: 'primary', pid: process.pid },
  });
  if (!loaded || text === undefined) return 1;
  const { engine } = loaded;
  const store = engine.verifyContext.store;
  const storeInPrimary = engine.config.store.type === 'memory';
  // With Redis the primary only checked that it answers; the workers make their own connections.
  if (!storeInPrimary) await store.close?.();
  const start: StartMessage = { type: 'sluice:start', file, text, server, generatedKeys: keys.toPem(), storeInPrimary };
  const cluster = new Cluster(workers, start, storeInPrimary ? store : undefined, engine.logger, engine.config.server.shutdown_timeout);
  const reload = new ClusterReload(cluster, engine, { file, text, start, keys, files: loaded.files, watch });
  const code = await cluster.run(reload);
  process.off('SIGHUP', ignore);
  // The store now in use (a reload may have replaced the first one).
  await cluster.primaryStore?.close?.();
  return code;
}

/** Beyond shutdown_timeout, for a worker to close its store and exit. */
const STRAGGLER_GRACE_MS = 5000;

class Cluster implements ReloadableCluster {
  private phase: 'starting' | 'serving' | 'stopping' = 'starting';
  /** Each worker, with the start message it was sent (a reload replaces `start`). */
  private readonly live = new Map<Worker, { slot: number; listened: boolean; startedAt: number; startedOn?: StartMessage }>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private readonly metrics = new ClusterMetrics();
  private readonly backoff: RestartBackoff[];
  private exitCode = 0;
  private finish: (code: number) => void = () => undefined;
  private reload: ClusterReload | undefined;

  constructor(
    private readonly size: number,
    private start: StartMessage,
    private store: Store | undefined,
    private readonly logger: Logger,
    /** server.shutdown_timeout: each worker drains within it; the primary waits that and a grace. A reload keeps it. */
    private readonly shutdownTimeout: number,
  ) {
    this.backoff = Array.from({ length: size }, () => new RestartBackoff());
  }

  /** The memory store the workers use over IPC (undefined with Redis). */
  get primaryStore(): Store | undefined {
    return this.store;
  }

  run(reload: ClusterReload): Promise<number> {
    this.reload = reload;
    cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.js', import.meta.url)), args: [] });
    const done = new Promise<number>((resolve) => (this.finish = resolve));
    process.on('SIGTERM', () => this.stop('SIGTERM'));
    process.on('SIGINT', () => this.stop('SIGINT'));
    process.on('SIGHUP', () => void (this.phase === 'stopping' || reload.reload('SIGHUP')));
    for (let slot = 0; slot < this.size; slot++) this.fork(slot);
    return done;
  }

  serving(): Worker[] {
    return [...this.live].filter(([, state]) => state.listened).map(([worker]) => worker);
  }

  serveFrom(start: StartMessage, store: Store | undefined): void {
    this.start = start;
    // Calls of requests still in flight on the old config go to the new store (the old one's
    // contents went with its config); with Redis now, the old store answers stray ones.
    if (store) this.store = store;
  }

  private fork(slot: number): void {
    const worker = cluster.fork();
    this.live.set(worker, { slot, listened: false, startedAt: Date.now() });
    worker.on('message', (message: unknown) => this.onMessage(worker, message));
    worker.on('exit', (code, signal) => this.onExit(worker, code, signal));
  }

  private onMessage(worker: Worker, message: unknown): void {
    if (isMessage<HelloMessage>(message, 'sluice:hello')) {
      const state = this.live.get(worker);
      if (state) state.startedOn = this.start;
      worker.send(this.start);
    } else if (isMessage<ReloadedMessage>(message, 'sluice:reloaded')) this.reload?.answered(worker, message);
    else if (isMessage<StoreCall>(message, 'sluice:store')) {
      if (!this.store) return; // a worker with its own store never asks; ignore rather than trust
      void answerStoreCall(this.store, message).then((reply) => {
        if (worker.isConnected()) worker.send(reply);
      });
    } else if (isMessage<ListeningMessage>(message, 'sluice:listening')) this.onListening(worker);
    else if (isMessage<MetricsRequest>(message, 'sluice:metrics')) this.metrics.answer(worker, message);
  }

  private onListening(worker: Worker): void {
    const state = this.live.get(worker);
    if (!state) return;
    state.listened = true;
    if (state.startedOn) this.reload?.catchUp(worker, state.startedOn);
    if (this.phase !== 'starting' || [...this.live.values()].some((s) => !s.listened) || this.live.size < this.size) return;
    this.phase = 'serving';
    this.logger.info({ event: 'workers_ready', workers: this.size }, `sluice is serving with ${this.size} workers`);
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const state = this.live.get(worker);
    this.live.delete(worker);
    this.reload?.exited(worker);
    if (!state) return;
    const fields = { worker: worker.id, worker_pid: worker.process.pid, code, signal };
    if (this.phase === 'stopping') {
      if (code !== 0) this.exitCode = 1;
      this.logger.info({ event: 'worker_stopped', ...fields }, 'worker stopped');
      if (this.live.size === 0) this.finish(this.exitCode);
      return;
    }
    if (this.phase === 'starting' && !state.listened) {
      // Its reason is on stderr already (the worker's own message); the next would say the same.
      process.stderr.write(`sluice: worker ${worker.id} exited before it could serve (${signal ?? `exit code ${code}`}); stopping\n`);
      this.exitCode = 1;
      this.stop('worker_failed');
      return;
    }
    const delayMs = this.backoff[state.slot]!.next(Date.now() - state.startedAt);
    this.logger.error({ event: 'worker_exited', ...fields, restart_in_ms: delayMs }, 'a worker exited; starting another');
    const timer = setTimeout(() => {
      this.restarts.delete(timer);
      if (this.phase !== 'stopping') this.fork(state.slot);
    }, delayMs);
    this.restarts.add(timer);
  }

  private stop(reason: string): void {
    if (this.phase === 'stopping') return;
    this.phase = 'stopping';
    this.logger.info({ event: 'stopping', signal: reason, workers: this.live.size }, 'stopping the workers');
    void this.reload?.stop();
    for (const timer of this.restarts) clearTimeout(timer);
    this.restarts.clear();
    // A signal, not worker.kill(): that disconnects IPC first, and requests still draining need the store.
    for (const worker of this.live.keys()) worker.process.kill('SIGTERM');
    if (this.live.size === 0) return this.finish(this.exitCode);
    // A worker drains within shutdown_timeout by itself; one that has not exited after that
    // and a grace is stuck, and must not hold the shutdown.
    setTimeout(() => this.killStragglers(), this.shutdownTimeout * 1000 + STRAGGLER_GRACE_MS).unref();
  }

  private killStragglers(): void {
    for (const worker of this.live.keys()) {
      this.logger.error({ event: 'worker_stuck', worker: worker.id, worker_pid: worker.process.pid }, 'a worker did not stop within server.shutdown_timeout; killing it');
      worker.process.kill('SIGKILL');
    }
  }
}
