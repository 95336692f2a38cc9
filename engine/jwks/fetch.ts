/**
 * One bounded GET of a JWKS: a timeout over the whole exchange (headers and body), a size
 * limit enforced while streaming (the body is abandoned beyond it), no redirects (a 3xx
 * is a failure: a key set moved elsewhere is a config change, not something to follow).
 */
import type { JSONWebKeySet } from 'jose';
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
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetch(uri, { redirect: 'manual', signal, headers: { accept: 'application/jwk-set+json, application/json' } });
  } catch (error) {
    throw new KeySetFetchError(`fetching ${uri} failed: ${describe(error)}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    throw new KeySetFetchError(`fetching ${uri} answered ${response.status}`);
  }
  const text = await readBounded(response, limits, uri);
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new KeySetFetchError(`${uri} did not answer JSON`);
  }
  if (!isKeySet(jwks)) throw new KeySetFetchError(`${uri} did not answer a JWK Set ({ "keys": [...] })`);
  return { jwks, maxAge: maxAgeOf(response.headers.get('cache-control')) };
}

async function readBounded(response: Response, limits: FetchLimits, uri: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new KeySetFetchError(`${uri} is larger than ${limits.maxBytes} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new KeySetFetchError(`${uri} is larger than ${limits.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof KeySetFetchError) throw error;
    throw new KeySetFetchError(`reading ${uri} failed: ${describe(error)}`);
  }
  return Buffer.concat(chunks).toString('utf8');
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

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
