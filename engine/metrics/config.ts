/**
 * The `metrics` section: Prometheus metrics on the main server (default), on a port of
 * their own, or off. Its schema lives here, beside what reads it; base-schema.ts includes it.
 */
import type { DiagnosticSink } from '../diagnostics.js';
import { PATHS } from '../engine.js';
import { isLoopbackHost } from '../jwks/uri.js';

export interface MetricsConfig {
  enabled: boolean;
  path: string;
  /** A port of their own; then they are not served on the main one. */
  port?: number;
  /** Where that port listens; default server.host. */
  host?: string;
}

export const METRICS_SCHEMA = {
  description: 'Prometheus metrics (text exposition). They name the registered clients: serve them where only Prometheus reaches (metrics.port, or a proxy that does not forward the path).',
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { description: 'Count and serve metrics; false: no /metrics and nothing counted.', type: 'boolean', default: true },
    path: { description: 'Where they are served (not under server.base_path).', type: 'string', pattern: '^/[A-Za-z0-9._~/-]*$', patternMessage: 'must be a path: /, then letters, digits and . _ ~ / -', default: '/metrics' },
    port: { description: 'Serve them on this port only (not on the main server).', type: 'integer', minimum: 0, maximum: 65535 },
    host: { description: 'Where metrics.port listens. Default: server.host.', type: 'string', minLength: 1 },
  },
} as const;

/** What the schema cannot say: the metrics port is not the server's, the path no endpoint's. */
export function checkMetricsConfig(metrics: MetricsConfig | undefined, server: { host?: string; port?: number } | undefined, basePath: string, issuerPath: string, sink: DiagnosticSink): void {
  if (!metrics || typeof metrics !== 'object' || !metrics.enabled) return;
  if (metrics.port !== undefined && metrics.port !== 0 && metrics.port === server?.port) {
    sink.add('schema', `metrics.port ${metrics.port} is the server's own port: choose another, or leave it out to serve metrics on the main server`, ['metrics', 'port']);
  }
  if (metrics.port !== undefined || typeof metrics.path !== 'string') return;
  // Every endpoint and probe under the base path, and the metadata path-inserted as RFC 8414
  // section 3 prescribes (routes.ts alsoAt): fastify refuses a second GET on any of them at start.
  const endpointPaths = [...Object.values(PATHS).map((p) => basePath + p), PATHS.oauthMetadata + issuerPath];
  if (endpointPaths.includes(metrics.path)) sink.add('schema', `metrics.path ${metrics.path} is an endpoint's path; choose another`, ['metrics', 'path']);
  else if (!isLoopbackHost(server?.host ?? '127.0.0.1')) {
    sink.warn('schema', `metrics are served on the main server, which listens beyond this machine: anyone who reaches it can read ${metrics.path}, which names the registered clients. Set metrics.port to a port only Prometheus reaches (or enabled: false)`, ['metrics']);
  }
}
