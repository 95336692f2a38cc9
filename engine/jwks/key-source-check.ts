/**
 * What `check` says about a config item that names verification keys (a trusted issuer;
 * an RP with private_key_jwt): exactly one of `jwks` and `jwks_uri`, and a `jwks_uri` that
 * cannot be tampered with on the way: https, or http only to this machine (loopback).
 */
import type { ConfigPath } from '../errors.js';

export interface KeySourceProblem {
  readonly message: string;
  readonly path: ConfigPath;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function jwksUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `jwks_uri '${uri}' is not a URL`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return undefined;
  return `jwks_uri must be https (http only on loopback): keys fetched in clear could be replaced on the way`;
}

export function keySourceProblem(item: { jwks?: unknown; jwks_uri?: string | undefined }): KeySourceProblem | undefined {
  if (item.jwks !== undefined && item.jwks_uri !== undefined) return { message: 'give jwks or jwks_uri, not both', path: ['jwks'] };
  if (item.jwks === undefined && item.jwks_uri === undefined) return { message: 'needs jwks or jwks_uri (its public keys)', path: [] };
  if (item.jwks_uri !== undefined) {
    const problem = jwksUriProblem(item.jwks_uri);
    if (problem) return { message: problem, path: ['jwks_uri'] };
  }
  return undefined;
}
