/**
 * Overload protection (`server.overload`): a timer samples the event loop's delay and the
 * process's memory; while one is past its limit, requests are answered at once with 503
 * temporarily_unavailable and Retry-After instead of queueing behind work the process
 * cannot finish (the approach of @fastify/under-pressure, without the dependency: the
 * request path reads one field set by the timer, and the sampling costs nothing per request).
 *
 * The delay is the mean of perf_hooks' event-loop delay histogram over the last sample
 * interval, less its resolution, as under-pressure measures it, so limits carry over.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';

/** The section as the schema accepts it (false: no overload protection; true: the defaults). */
export type OverloadConfig = boolean | {
  max_event_loop_delay_ms?: number;
  max_heap_used_ratio?: number;
  max_rss_bytes?: number;
  retry_after?: number;
};

/** Limits when the config gives none; the schema's descriptions quote them. */
export const OVERLOAD_DEFAULTS = {
  /** A loop that lags half a second on average is queueing: answers come late for everyone. */
  max_event_loop_delay_ms: 500,
  /** Of V8's heap limit: past this, garbage collection thrashes and an out-of-memory crash is near. */
  max_heap_used_ratio: 0.95,
  /** 0: not checked (a container's memory limit is the operator's to say). */
  max_rss_bytes: 0,
  /** Seconds a refused caller should wait. */
  retry_after: 2,
} as const;

/** Which limit is exceeded: the readiness check and the log name it. */
export type OverloadCause = 'event_loop_delay' | 'heap_used' | 'rss';

const SAMPLE_INTERVAL_MS = 1000;
const RESOLUTION_MS = 10;

export interface OverloadLimits {
  readonly maxEventLoopDelayMs: number;
  readonly maxHeapUsedBytes: number;
  readonly maxRssBytes: number;
  readonly retryAfter: string;
}

/** The limits in the units the sampler compares, computed once; undefined when disabled. */
export function overloadLimits(config: OverloadConfig | undefined): OverloadLimits | undefined {
  if (config === false) return undefined;
  const merged = { ...OVERLOAD_DEFAULTS, ...(typeof config === 'object' ? config : {}) };
  return {
    maxEventLoopDelayMs: merged.max_event_loop_delay_ms,
    maxHeapUsedBytes: merged.max_heap_used_ratio > 0 ? Math.floor(getHeapStatistics().heap_size_limit * merged.max_heap_used_ratio) : 0,
    maxRssBytes: merged.max_rss_bytes,
    retryAfter: String(merged.retry_after),
  };
}

/**
 * Sample every second and call `onChange` when the process enters or leaves overload
 * (with the cause, or undefined). Returns the function that stops sampling.
 *
 * A limit must be exceeded on two samples in a row: one long block of the loop (a large
 * config compiled, a major GC) is over by the time it is measured, and refusing the next
 * second's requests for it would only turn a hiccup into errors. Overload ends with the
 * first sample under every limit.
 */
export function watchOverload(limits: OverloadLimits, logger: Logger, onChange: (cause: OverloadCause | undefined) => void): () => void {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let current: OverloadCause | undefined;
  let previous: OverloadCause | undefined;
  const sample = () => {
    const delayMs = Math.max(0, histogram.mean / 1e6 - RESOLUTION_MS);
    histogram.reset();
    const measured = { event_loop_delay_ms: Math.round(delayMs) };
    let cause: OverloadCause | undefined;
    if (limits.maxEventLoopDelayMs > 0 && delayMs > limits.maxEventLoopDelayMs) cause = 'event_loop_delay';
    else if (limits.maxHeapUsedBytes > 0 && getHeapStatistics().used_heap_size > limits.maxHeapUsedBytes) cause = 'heap_used';
    else if (limits.maxRssBytes > 0 && process.memoryUsage.rss() > limits.maxRssBytes) cause = 'rss';
    const twiceInARow = cause !== undefined && cause === previous;
    previous = cause;
    // In overload, any exceeded limit keeps it; out of it, only one exceeded twice enters it.
    const next = cause === undefined ? undefined : (current ?? (twiceInARow ? cause : undefined));
    if (next === current) return;
    if (next) logger.warn({ event: 'overload', cause: next, ...measured }, `overloaded (${next}): answering 503 until it passes`);
    else logger.info({ event: 'overload_ended', ...measured }, 'no longer overloaded');
    current = next;
    onChange(next);
  };
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  // Sampling must never be what keeps a stopping process alive.
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}
