/**
 * What a reload cannot apply: the listener's settings. The HTTP server is made once, from
 * the first config (engine/http/server.ts): its address, its routes (under the base path)
 * and its limits (body size, connections, timeouts, proxy trust) stay until a restart.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Engine } from '../engine.js';
import type { ServerConfig } from '../config/types.js';
import { basePath } from '../http/paths.js';

/** Every `server` setting is the listener's (the list the check below walks). */
const LISTENER_SETTINGS: ReadonlyArray<keyof ServerConfig> = [
  'host', 'port', 'base_path', 'body_limit', 'trust_proxy', 'max_connections', 'keep_alive_timeout', 'request_timeout',
];

/** The `server.*` settings that differ between the running engine and `next`, as config paths. */
export function changedServerSettings(running: Engine, next: Engine): string[] {
  return LISTENER_SETTINGS.filter((key) => !isDeepStrictEqual(running.config.server[key], next.config.server[key])).map((key) => `server.${key}`);
}

/**
 * Endpoints are routed under the issuer's path when `server.base_path` is not set: a new
 * issuer path would publish endpoint URLs where nothing is routed until a restart.
 */
export function routesMoved(running: Engine, next: Engine): boolean {
  return basePath(running) !== basePath(next);
}

/** The listener settings of `engine`, to load a new config with the running ones kept. */
export function listenerSettings(engine: Engine): Partial<ServerConfig> {
  return Object.fromEntries(LISTENER_SETTINGS.map((key) => [key, engine.config.server[key]]));
}

/**
 * Where metrics are served is the listener's too (http/metrics-route.ts mounts them once,
 * at start): a reload that moves them (path, a port of their own, its host) or turns them on
 * changes nothing there until a restart; turning them off applies at once (404). Said, so
 * that an operator moving /metrics off a public port does not believe it done.
 */
export function changedMetricsPlace(running: Engine, next: Engine): string[] {
  const before = running.config.metrics;
  const after = next.config.metrics;
  if (!after.enabled) return [];
  if (!before.enabled) return ['metrics.enabled'];
  return METRICS_PLACE.filter((key) => before[key] !== after[key]).map((key) => `metrics.${key}`);
}

const METRICS_PLACE = ['path', 'port', 'host'] as const;
