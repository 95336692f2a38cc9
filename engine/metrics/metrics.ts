/**
 * What Sluice counts, for Prometheus (`/metrics`, issue 15). One SluiceMetrics per
 * process: a reload passes the running one (LoadOptions.metrics), so counters carry on
 * across config changes, and reload outcomes are counted here too (recordReload).
 *
 * Labels are bounded by construction: client ids only of registered clients (a caller
 * that is not one is `unknown`), pipe ids and kids from the config, outcomes from the
 * fixed list of OAuth error codes. Nothing a caller sends becomes a label value.
 */
import { Registry, collectDefaultMetrics, type RegistryContentType } from 'prom-client';
import { OAUTH_ERROR_CODES } from '../errors.js';
import { CounterFamily, HistogramFamily, type CounterSeries, type HistogramSeries } from './series.js';

/** A token request that failed before a pipe, a client or a grant type was known. */
export const NONE = 'none';
/** The client_id label of a caller that is not a registered client. */
export const UNKNOWN_CLIENT = 'unknown';
/** Outcome of a token request: a token was issued, or the OAuth error code answered. */
export const ISSUED = 'issued';
/** An error code outside the OAuth list (a plugin's own): counted, not named. */
const OTHER_ERROR = 'other_error';
const OUTCOMES = new Set<string>([ISSUED, ...OAUTH_ERROR_CODES]);

export const RELOAD_OUTCOMES = ['success', 'failure'] as const;
export type ReloadOutcome = (typeof RELOAD_OUTCOMES)[number];

// A token is issued in well under a millisecond to a few; an upstream call takes longer.
const TOKEN_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const VALVE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface Exposition {
  readonly contentType: string;
  readonly text: string;
}

export class SluiceMetrics {
  readonly registry: Registry<RegistryContentType>;
  private readonly tokenRequests = new CounterFamily('sluice_token_requests_total', 'Token requests by client, pipe, grant type and outcome (issued, or the OAuth error code).', ['client_id', 'pipe', 'grant_type', 'outcome']);
  private readonly tokenDuration = new HistogramFamily('sluice_token_request_duration_seconds', 'Time to answer a token request, by pipe.', ['pipe'], TOKEN_BUCKETS);
  private readonly valveDuration = new HistogramFamily('sluice_valve_duration_seconds', 'Time spent in each valve of a pipe, the valves after it excluded.', ['pipe', 'valve'], VALVE_BUCKETS);
  private readonly signingKeyUse = new CounterFamily('sluice_signing_key_use_total', 'Tokens signed, by key id.', ['kid']);
  private readonly storeErrors = new CounterFamily('sluice_store_errors_total', 'Store operations that failed, by operation.', ['operation']);
  private readonly reloads = new CounterFamily('sluice_reloads_total', 'Config reloads, by outcome.', ['outcome']);
  private processMetrics = false;

  /**
   * `registry`: where the families are registered (a worker passes prom-client's
   * AggregatorRegistry); `source`: where a scrape's text comes from, if not this registry
   * (a worker asks the primary for the whole cluster's).
   */
  constructor(registry: Registry<RegistryContentType> = new Registry(), private readonly source?: () => Promise<Exposition>) {
    this.registry = registry;
    for (const family of [this.tokenRequests, this.tokenDuration, this.valveDuration, this.signingKeyUse, this.storeErrors, this.reloads]) {
      registry.registerMetric(family as never);
    }
    for (const outcome of RELOAD_OUTCOMES) this.reloads.with(outcome);
  }

  /** A reload was tried: its new config is serving (success) or was refused (failure). */
  recordReload(outcome: ReloadOutcome): void {
    this.reloads.with(outcome).value++;
  }

  /** The series a store operation's failures are counted in (operation: a Store method name). */
  storeErrorSeries(operation: string): CounterSeries {
    return this.storeErrors.with(operation);
  }

  /** The series of a key's signatures; made at load for every configured kid, so an unused key shows 0. */
  keyUseSeries(kid: string): CounterSeries {
    return this.signingKeyUse.with(kid);
  }

  valveSeries(pipe: string, valve: string): HistogramSeries {
    return this.valveDuration.with(pipe, valve);
  }

  durationSeries(pipe: string): HistogramSeries {
    return this.tokenDuration.with(pipe);
  }

  /** Counts one token request; clientId must be a registered client's (else UNKNOWN_CLIENT). */
  countTokenRequest(clientId: string, pipe: string, grantType: string, outcome: string): void {
    const label = OUTCOMES.has(outcome) ? outcome : OTHER_ERROR;
    // Found by the label values themselves, nested: no key string joined, no list made per
    // request (family.with's work), once a combination has been seen. Bounded as the family is.
    const byOutcome = level(level(level(this.tokenRequestSeries, clientId), pipe), grantType);
    let series = byOutcome.get(label);
    if (series === undefined) byOutcome.set(label, (series = this.tokenRequests.with(clientId, pipe, grantType, label)));
    series.value++;
  }

  /** tokenRequests' series by client_id, then pipe and grant type, then outcome (the family holds them all too). */
  private readonly tokenRequestSeries = new Map<string, Map<string, Map<string, Map<string, { value: number }>>>>();

  /**
   * prom-client's process metrics (CPU, memory, event loop lag, GC): only for a process
   * that serves, since they observe the whole process (check and tests need none). Idempotent.
   */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition: this process's, or under --workers the cluster's. */
  async exposition(): Promise<Exposition> {
    if (this.source) return this.source();
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

/** The map under `key`, made the first time. */
function level<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let next = map.get(key);
  if (next === undefined) map.set(key, (next = new Map()));
  return next;
}
