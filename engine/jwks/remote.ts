/**
 * A key set behind a `jwks_uri`, fetched by our own bounded fetcher (fetch.ts).
 *
 * - Cached for the server's Cache-Control max-age, bounded to 5 min .. 24 h (10 min when
 *   it sends none): keys rotate, but not per request.
 * - A token whose `kid` is not in the set triggers one refetch, at most once per cooldown
 *   (30 s), whoever asks: a caller inventing kids cannot make us hammer the URI. The
 *   first such refetch may follow the initial fetch at once (a key rotated just then).
 * - Concurrent requests share one fetch; none waits longer than the fetch timeout.
 * - A failed fetch keeps serving the keys fetched before (a brief outage of the client's
 *   JWKS host does not lock the client out); with none, requests fail until the
 *   cooldown has passed, without a fetch each.
 */
import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { DEFAULT_FETCH_LIMITS, fetchKeySet, type FetchLimits } from './fetch.js';

export interface RemoteKeySetOptions extends FetchLimits {
  readonly minCacheSeconds: number;
  readonly maxCacheSeconds: number;
  readonly defaultCacheSeconds: number;
  readonly cooldownSeconds: number;
  /** Milliseconds since the epoch (a seam for tests). */
  readonly now: () => number;
}

export const DEFAULT_REMOTE_OPTIONS: RemoteKeySetOptions = {
  ...DEFAULT_FETCH_LIMITS,
  minCacheSeconds: 300,
  maxCacheSeconds: 86_400,
  defaultCacheSeconds: 600,
  cooldownSeconds: 30,
  now: () => Date.now(),
};

type LocalGetKey = ReturnType<typeof createLocalJWKSet>;

export class RemoteKeySet {
  private keys: LocalGetKey | undefined;
  private expiresAt = 0;
  /** When the last fetch failed, and why: no new attempt within the cooldown. */
  private lastFailure = -Infinity;
  private lastError: Error | undefined;
  /** When an unknown kid last caused a refetch. */
  private lastMissRefetch = -Infinity;
  private pending: Promise<void> | undefined;
  private readonly options: RemoteKeySetOptions;

  constructor(private readonly uri: string, options: Partial<RemoteKeySetOptions> = {}) {
    this.options = { ...DEFAULT_REMOTE_OPTIONS, ...options };
  }

  /** Fetches so far (for tests and, later, metrics). */
  fetches = 0;

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.keys || this.options.now() >= this.expiresAt) {
      // Stale keys beat none: a failed refresh keeps the ones we have.
      await this.refresh().catch((error: unknown) => {
        if (!this.keys) throw error;
      });
    }
    try {
      return await this.keys!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown kid: the client may have rotated. One refetch per cooldown at most.
      if (!this.pending) {
        if (!this.cooledDown(this.lastMissRefetch)) throw error;
        this.lastMissRefetch = this.options.now();
      }
      await this.refresh();
      return await this.keys!(header, token);
    }
  };

  private cooledDown(since: number): boolean {
    return this.options.now() - since >= this.options.cooldownSeconds * 1000;
  }

  /** One fetch at a time, and none within the cooldown of a failed one. */
  private refresh(): Promise<void> {
    if (this.pending) return this.pending;
    if (!this.cooledDown(this.lastFailure)) return Promise.reject(this.lastError);
    this.fetches += 1;
    this.pending = fetchKeySet(this.uri, this.options)
      .then(({ jwks, maxAge }) => {
        this.keys = createLocalJWKSet(jwks);
        const { minCacheSeconds, maxCacheSeconds, defaultCacheSeconds } = this.options;
        const seconds = Math.min(Math.max(maxAge ?? defaultCacheSeconds, minCacheSeconds), maxCacheSeconds);
        this.expiresAt = this.options.now() + seconds * 1000;
        this.lastError = undefined;
      }, (error: unknown) => {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.lastFailure = this.options.now();
        throw this.lastError;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
