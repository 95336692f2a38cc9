/**
 * Reload of a serving process (the one-process server, or one worker of `--workers`): the
 * new engine is prepared to the side (prepare.ts) and swapped in with one assignment to
 * `EngineHolder.current`. The server reads the holder once per request, so a request in
 * flight keeps the engine it started on, and every request after the swap gets the new
 * one: none fails because of a reload. Reloads run one at a time (one-at-a-time.ts).
 *
 * A store the new config no longer uses is closed once the requests that may still use it
 * are over: every request is answered within the old server.request_timeout (then 503).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Engine } from '../engine.js';
import type { EngineHolder } from '../http/server.js';
import type { Store } from '../store/types.js';
import { OneAtATime } from './one-at-a-time.js';
import { prepareReload, type Prepared, type Ready, type Refused, type ReloadSource } from './prepare.js';
import { changedMetricsPlace } from './server-settings.js';

export type ReloadOutcome = 'success' | 'failure';
/** What asked for it: a signal, `--watch`, or (in a worker) the primary. */
export type ReloadTrigger = 'SIGHUP' | 'watch' | 'primary';

/** What the new config serves, for the `reloaded` log line. */
export interface ReloadSummary {
  readonly clients: number;
  readonly pipes: number;
  /** The kids published at /jwks. */
  readonly keys: readonly string[];
}

export interface ReloadReport {
  readonly outcome: ReloadOutcome;
  readonly trigger: ReloadTrigger;
  /** The files the config read (the new one's, or the refused one's: fixing one of them is a change too). */
  readonly files: readonly string[];
  readonly summary?: ReloadSummary;
  readonly warnings?: readonly Diagnostic[];
  /** `server.*` settings (and 'issuer path') changed in the file but kept until a restart. */
  readonly needsRestart?: readonly string[];
  /** Why it was refused: the config's errors (FILE:LINE:COL), or a reason that is no config error. */
  readonly diagnostics?: readonly Diagnostic[];
  readonly reason?: string;
}

/** One second past the request deadline: the answer given at the deadline is out by then. */
const DRAIN_MARGIN_MS = 1000;

export class Reloader {
  private readonly queue = new OneAtATime(() => this.run());
  private readonly listeners = new Set<(report: ReloadReport) => void>();
  private readonly retiring = new Map<NodeJS.Timeout, Store>();
  private trigger: ReloadTrigger = 'SIGHUP';
  private stopped = false;

  /** `source` is asked at the start of each run, so a queued run loads what is current then. */
  constructor(private readonly holder: EngineHolder, private readonly source: () => ReloadSource) {}

  /** Reload now, or after the reload under way (asks during one are coalesced into one more). */
  reload(trigger: ReloadTrigger): Promise<ReloadReport> {
    this.trigger = trigger;
    return this.queue.request();
  }

  /**
   * Told every reload's report, success or failure (for whoever owns the reload: it logs it
   * and tells outcomes.ts, the metrics seam). Returns the unsubscribe function.
   */
  onReload(listener: (report: ReloadReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The server drained: no more reloads; stores still being retired are closed now. */
  async stop(): Promise<void> {
    this.stopped = true;
    const stores = [...this.retiring];
    this.retiring.clear();
    for (const [timer] of stores) clearTimeout(timer);
    await Promise.allSettled(stores.map(([, store]) => store.close?.()));
  }

  private async run(): Promise<ReloadReport> {
    const trigger = this.trigger;
    const running = this.holder.current;
    let prepared: Prepared;
    try {
      prepared = this.stopped ? { ok: false, files: [], diagnostics: [], reason: 'the server is stopping' } : await prepareReload(running, this.source());
    } catch (error) {
      // A plugin's create() that throws something other than a config error, say: refused all the same.
      prepared = { ok: false, files: [], diagnostics: [], reason: `the load failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (prepared.ok && this.stopped) {
      if (prepared.engine.verifyContext.store !== running.verifyContext.store) await prepared.engine.verifyContext.store.close?.();
      prepared = { ok: false, files: prepared.files, diagnostics: [], reason: 'the server is stopping' };
    }
    const report = prepared.ok ? this.swap(running, prepared.engine, trigger, prepared) : refusal(trigger, prepared);
    for (const listener of this.listeners) listener(report);
    return report;
  }

  private swap(running: Engine, next: Engine, trigger: ReloadTrigger, prepared: Ready): ReloadReport {
    // The one moment of the reload: requests from here on get `next`.
    this.holder.current = next;
    // The logger is the running one (one stream, the process's bindings); its level is the new config's.
    next.logger.level = next.config.log?.level ?? 'info';
    const oldStore = running.verifyContext.store;
    if (next.verifyContext.store !== oldStore) this.retire(oldStore, running.config.server.request_timeout * 1000 + DRAIN_MARGIN_MS);
    return {
      outcome: 'success',
      trigger,
      files: prepared.files,
      summary: summarize(next),
      warnings: prepared.warnings,
      needsRestart: [...prepared.keptSettings, ...changedMetricsPlace(running, next), ...(prepared.routesMoved ? ['issuer path'] : [])],
    };
  }

  private retire(store: Store, afterMs: number): void {
    const timer = setTimeout(() => {
      this.retiring.delete(timer);
      void store.close?.();
    }, afterMs);
    this.retiring.set(timer, store);
  }
}

export function summarize(engine: Engine): ReloadSummary {
  return { clients: engine.clients.size, pipes: Array.isArray(engine.config.pipes) ? engine.config.pipes.length : 0, keys: engine.jwks.keys.map((k) => String(k.kid)) };
}

function refusal(trigger: ReloadTrigger, prepared: Refused): ReloadReport {
  return { outcome: 'failure', trigger, files: prepared.files, diagnostics: prepared.diagnostics, ...(prepared.reason === undefined ? {} : { reason: prepared.reason }) };
}
