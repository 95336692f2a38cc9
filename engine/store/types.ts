/**
 * The one interface for state that outlives a request: client-assertion replay (RFC 7523
 * section 3, "jti"), and next revocation lists, opaque tokens, rate-limit counters and
 * the token cache (issues 11 and 12). Backends: memory (the embedded default) and Redis
 * (redis.ts); every operation is one atomic step on one key (SET NX EX, GET, DEL, INCR +
 * EXPIRE), so that several instances on one Redis agree.
 *
 * Keys are namespaced by their user (`assertion:…`, `revoked:…`); a backend may prefix
 * them per deployment. Values are strings: callers serialise.
 *
 * A backend that cannot take a write (memory full, Redis down) throws a
 * `temporarily_unavailable` OAuthError (503 with Retry-After): refusing is safe, while
 * dropping unexpired entries would let a replay or a revoked token through.
 */
export interface Store {
  /**
   * Set `key` to `value` for `ttlSeconds` unless it holds an unexpired value. True when
   * this call set it, false when it was already there (a replay).
   */
  putIfAbsent(key: string, ttlSeconds: number, value?: string): Promise<boolean>;
  /** The unexpired value of `key`, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** Set `key` for `ttlSeconds`, whether or not it was there. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Add one to the counter at `key` and return the new count; a new counter expires
   * `windowSeconds` after its first increment (a fixed window, as INCR + EXPIRE NX).
   */
  increment(key: string, windowSeconds: number): Promise<number>;
  /** Release connections (serve calls it on shutdown); absent where there is nothing to release. */
  close?(): Promise<void>;
}
