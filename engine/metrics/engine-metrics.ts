/**
 * The metrics as one Engine uses them: the process's SluiceMetrics, with the series of
 * this config's keys and pipes held in maps, so a token request costs a lookup and an
 * addition. A reload builds a new one over the same SluiceMetrics, so counters carry on:
 * it passes `engine.metrics?.process` as LoadOptions.metrics, and counts itself with
 * `engine.metrics?.process.recordReload('success' | 'failure')`.
 */
import type { Keystore } from '../keystores/types.js';
import { NONE, type SluiceMetrics } from './metrics.js';
import type { CounterSeries, HistogramSeries } from './series.js';

export class EngineMetrics {
  private readonly keyUse = new Map<string, CounterSeries>();
  private readonly durations = new Map<string, HistogramSeries>();

  constructor(readonly process: SluiceMetrics, keystores: ReadonlyMap<string, Keystore>) {
    // Every configured key shows, 0 until it signs: a rotation's next key is visible before use.
    for (const keystore of keystores.values()) this.keyUse.set(keystore.kid, process.keyUseSeries(keystore.kid));
  }

  /**
   * One token request. The labels are the caller's only once the engine vouches for them:
   * clientId a registered client's (else "unknown"), pipe a configured pipe's id.
   */
  tokenRequest(clientId: string, pipe: string | undefined, grantType: string, outcome: string, seconds: number): void {
    const pipeId = pipe ?? NONE;
    this.process.countTokenRequest(clientId, pipeId, grantType, outcome);
    let duration = this.durations.get(pipeId);
    if (duration === undefined) this.durations.set(pipeId, (duration = this.process.durationSeries(pipeId)));
    duration.observe(seconds);
  }

  /** A token signed with `kid` (a key of this process: keys rotate, so new kids appear over time). */
  keySigned(kid: string): void {
    let series = this.keyUse.get(kid);
    if (series === undefined) this.keyUse.set(kid, (series = this.process.keyUseSeries(kid)));
    series.value++;
  }
}
