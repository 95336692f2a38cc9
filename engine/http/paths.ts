/**
 * Where endpoints are served. Published URLs are always the issuer + an endpoint path
 * (Engine.endpoint); the server routes them under a base path, which is the issuer's own
 * path unless `server.base_path` says otherwise (a proxy that strips the prefix).
 */
import type { Engine } from '../engine.js';

/** The path of an issuer URL: '' for https://host, '/platform' for https://host/platform. */
export function issuerPath(issuer: string): string {
  const path = new URL(issuer).pathname;
  return path === '/' ? '' : path;
}

export function basePath(engine: Engine): string {
  return engine.config.server.base_path ?? issuerPath(engine.issuer);
}
