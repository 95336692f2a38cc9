/**
 * A valve's own time, for `sluice_valve_duration_seconds`: from its start to its end,
 * less the time the valves after it took (what it spent awaiting next()). Wrapped at
 * load, only when metrics are on; a valve skipped by its exec_if is not observed.
 */
import { performance } from 'node:perf_hooks';
import type { Valve } from '../plugin-api.js';
import type { HistogramSeries } from './series.js';

export function timedValve(run: Valve, series: HistogramSeries): Valve {
  return async function timed(flow, next) {
    const started = performance.now();
    let downstream = 0;
    const timedNext = async (): Promise<void> => {
      const entered = performance.now();
      try {
        await next();
      } finally {
        downstream += performance.now() - entered;
      }
    };
    try {
      await run(flow, timedNext);
    } finally {
      series.observe(Math.max(0, performance.now() - started - downstream) / 1000);
    }
  };
}
