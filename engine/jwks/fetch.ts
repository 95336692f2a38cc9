/**
 * One bounded GET of a JWKS through the engine's HTTP client (engine/http-client.ts): a
 * timeout over the whole exchange, a size limit enforced while streaming, no redirects.
 * Any status but 200 is a failure (a 3xx too: a key set moved elsewhere is a config
 * change, not something to follow).
 */
import type { JSONWebKeySet } from 'jose';
import { HttpClientError, httpRequest, type HttpClientResponse } from '../http-client.js';
import { jwksUriProblem } from './uri.js';

export interface FetchLimits {
  /** Milliseconds for the whole exchange. */
  readonly timeoutMs: number;
  /** Largest body in bytes. */
  readonly maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 3000, maxBytes: 64 * 1024 };

export class KeySetFetchError extends Error {
  override readonly name = 'KeySetFetchError';
}

export interface FetchedKeySet {
  readonly jwks: JSONWebKeySet;
  /** Cache-Control max-age in seconds, when the server sent one. */
  readonly maxAge: number | undefined;
}

export async function fetchKeySet(uri: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<FetchedKeySet> {
  const problem = jwksUriProblem(uri);
  if (problem) throw new KeySetFetchError(`jwks_uri ${problem}`);
  let response: HttpClientResponse;
  try {
    response = await httpRequest(uri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      acceptStatus: (status) => status === 200,
    });
  } catch (error) {
    throw error instanceof HttpClientError ? new KeySetFetchError(error.message) : error;
  }
  let jwks: unknown;
  try {
    jwks = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new KeySetFetchError(`${uri} did not answer JSON`);
  }
  if (!isKeySet(jwks)) throw new KeySetFetchError(`${uri} did not answer a JWK Set ({ "keys": [...] })`);
  return { jwks, maxAge: maxAgeOf(response.headers['cache-control'] ?? null) };
}

function isKeySet(value: unknown): value is JSONWebKeySet {
  if (value === null || typeof value !== 'object') return false;
  const keys = (value as { keys?: unknown }).keys;
  return Array.isArray(keys) && keys.every((k) => k !== null && typeof k === 'object' && !Array.isArray(k));
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  const match = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(cacheControl ?? '');
  return match ? Number(match[1]) : undefined;
}
