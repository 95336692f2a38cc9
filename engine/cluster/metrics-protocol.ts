/**
 * Metrics under `serve --workers N`: each worker counts in its own registry; a scrape may
 * reach any worker (the metrics port is shared like the main one), which asks the primary,
 * which asks every worker (prom-client's AggregatorRegistry, over the cluster IPC
 * channel) and sums their series. So a scrape sees the whole cluster, whichever worker
 * answers it, and a worker that is restarted only loses its own counts.
 */
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { SluiceMetrics } from '../metrics/metrics.js';
import { isMessage, type MetricsReply, type MetricsRequest } from './messages.js';

/** Every worker answers from memory; past this one is stuck or gone (prom-client's own bound is 5 s). */
const METRICS_TIMEOUT_MS = 6000;

/** The worker's metrics: counted in a registry the primary can gather, exposed by asking the primary. */
export function workerMetrics(): SluiceMetrics {
  // Constructed in a worker, it answers the primary's requests for this registry's series.
  const registry = new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const pending = new Map<number, { resolve(reply: MetricsReply): void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsReply>(message, 'sluice:metrics-reply')) return;
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    clearTimeout(call.timer);
    call.resolve(message);
  });
  const askPrimary = () => new Promise<{ contentType: string; text: string }>((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not send the cluster metrics in time'));
    }, METRICS_TIMEOUT_MS);
    pending.set(id, {
      timer,
      resolve: (reply) => (reply.text === undefined ? reject(new Error(reply.error ?? 'no metrics')) : resolve({ contentType: reply.contentType ?? registry.contentType, text: reply.text })),
    });
    const request: MetricsRequest = { type: 'sluice:metrics', id };
    process.send?.(request);
  });
  return new SluiceMetrics(registry, askPrimary);
}

/** The primary's side: one aggregator for the cluster's lifetime. */
export class ClusterMetrics {
  private readonly aggregator = new AggregatorRegistry();

  answer(worker: Worker, request: MetricsRequest): void {
    const reply = (fields: Omit<MetricsReply, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: 'sluice:metrics-reply', id: request.id, ...fields } satisfies MetricsReply);
    };
    this.aggregator.clusterMetrics().then(
      (text) => reply({ contentType: this.aggregator.contentType, text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  }
}
