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
    // The runner's own promise goes back to the valve, untouched: a valve that forgets to
    // await next() must meet the runner's checks, not an unobserved promise of ours. The
    // timing rides on a side chain that never rejects, registered before the valve awaits.
    const timedNext = (): Promise<void> => {
      const entered = performance.now();
      const rest = next();
      const leave = () => {
        downstream += performance.now() - entered;
      };
      void rest.then(leave, leave);
      return rest;
    };
    try {
      await run(flow, timedNext);
    } finally {
      series.observe(Math.max(0, performance.now() - started - downstream) / 1000);
    }
  };
}
