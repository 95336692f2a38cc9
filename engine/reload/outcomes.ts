/**
 * The one seam for whoever counts reloads (metrics): every reload of this process, once,
 * when its outcome is known. In a one-process server and in each worker, that is its own
 * swap; in the primary of `--workers`, the outcome of the whole cluster's reload.
 */
import type { ReloadOutcome, ReloadReport } from './reloader.js';

type ReloadListener = (outcome: ReloadOutcome, report: ReloadReport) => void;

const listeners = new Set<ReloadListener>();

/** Call `listener` after every reload of this process; returns the unsubscribe function. */
export function onReload(listener: ReloadListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Told by the owner of the reload (serve-reload.ts, cluster/worker.ts, cluster/primary-reload.ts). */
export function reloaded(report: ReloadReport): void {
  for (const listener of listeners) {
    try {
      listener(report.outcome, report);
    } catch {
      // A counter that throws must not stop the others, nor the reload.
    }
  }
}
