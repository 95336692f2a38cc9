/**
 * TokenCache: answers with the still-valid token already issued for the same request
 * instead of signing a new one (SPEC "Flow control"). Client guides say to reuse a token
 * until it expires; many clients ask anew every time, and each new token costs a signature
 * (or, for opaque tokens, a store entry) and shows up in every resource server's cache.
 *
 * Placed before the valve that issues. On a hit it sets the response, with expires_in
 * counted down, and ends the pipe without running the rest; on a miss the rest runs and
 * the answer of a successful flow is kept for `reuse_until` of the token's lifetime.
 *
 * Never another client's token, nor one for another scope or audience: the key holds all
 * the flow has that can shape a token (token-cache-key.ts). Never a revoked token: every hit
 * asks the engine whether the token is still active, and a revoked one is replaced.
 *
 * A hit must cost less than the token it saves (issue 14): the token's signature, issuer
 * and lifetime are checked once, when it is kept (engine.activeTokenRecord); a hit then
 * checks only what can change since: expiry, revocation, its key still in /jwks and the
 * issuer still ours (a reload may change it; store: true entries outlive it) (engine.recordIsActive: a Set lookup and one store read). What a hit answers was copied
 * when kept; a hit only counts expires_in down.
 */
import { defineValve, InvalidClient, type EngineServices, type Flow } from '../engine/index.js';
import { ignoredParams, tokenCacheKey } from './token-cache-key.js';
import { MemoryEntries, StoreEntries, type CachedToken, type TokenCacheEntries } from './token-cache-entries.js';
import { checkTokenCachePlace, ignoredParamProblems } from './token-cache-check.js';

export interface TokenCacheConfig {
  reuse_until: number;
  max_entries: number;
  store: boolean;
  ignore_params: string[];
  id?: string;
}

/** The cached answer for this flow, counted down to now. */
function answerFrom(entry: CachedToken, now: number): Record<string, unknown> {
  const response = { ...entry.response };
  if ('expires_in' in response) response.expires_in = Math.max(0, Math.floor(entry.expires_at - now));
  return response;
}

/**
 * What to keep of a successful flow: the response, when it answers with a token this flow
 * issued (its expiry is known) and the engine finds active (ours, so checkable later).
 * Never `state`: the endpoint echoes each request's own.
 */
async function entryFor(flow: Flow, engine: EngineServices, reuseUntil: number, now: number): Promise<CachedToken | undefined> {
  const response = flow.response;
  const token = response?.access_token;
  if (!response || typeof token !== 'string') return undefined;
  const issued = Object.values(flow.issued).find((t) => t.token === token);
  if (!issued) return undefined;
  const reuseEnds = now + reuseUntil * (issued.expires_at - now);
  if (reuseEnds - now < 1) return undefined; // not worth a slot
  const { state: _state, ...kept } = response;
  let copy: Record<string, unknown>;
  try {
    copy = JSON.parse(JSON.stringify(kept)) as Record<string, unknown>; // plain data, detached from the flow
  } catch {
    return undefined;
  }
  const active = await engine.activeTokenRecord(token);
  if (!active) return undefined;
  return { client_id: flow.client.client_id, active, response: copy, expires_at: issued.expires_at, reuse_until: reuseEnds };
}

export default defineValve<TokenCacheConfig>({
  name: 'TokenCache',
  description: 'Answer with the token already issued for the same client, grant, scope, audience, claims and parameters while it has more than `reuse_until` of its lifetime ahead (expires_in counted down); otherwise run the rest and keep its answer. Revoked tokens are never reused.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reuse_until: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.5,
        description: 'Share of the lifetime a token is reused for: 0.5 reuses a 60-minute token for its first 30 minutes.',
      },
      max_entries: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 10_000, description: 'Most tokens kept in memory (least recently used go first). Not used with store: true.' },
      store: { type: 'boolean', default: false, description: 'Keep the tokens in the engine store (Redis: all instances reuse them; the tokens then sit in Redis). At most 100 answers per client per reuse period are kept there; past that, tokens are issued but not cached.' },
      ignore_params: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        default: [],
        description: "Request parameters that do not shape the token, left out of the key (`state` always is): a per-request correlation id such as MSAL's client-request-id. Never grant_type, scope, resource, audience or at_lifetime.",
      },
      id: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]{1,64}$',
        patternMessage: 'must be a name (letters, digits, _ . -)',
        description: 'Cache name in the store (default: the pipe and position); change it to drop what older configs cached.',
      },
    },
  },
  check: (config, context) => [...checkTokenCachePlace(context), ...ignoredParamProblems(config.ignore_params)],
  create(config, engine, context) {
    const entries: TokenCacheEntries = config.store ? new StoreEntries(engine.store) : new MemoryEntries(config.max_entries);
    const scope = config.id !== undefined ? `id:${config.id}` : `pipe:${context.pipeId}#${context.index}`;
    const ignored = ignoredParams(config.ignore_params);

    /** A cached token still good to hand out; a failure to tell is a miss, never an error. */
    async function reusable(flow: Flow, key: string, now: number): Promise<CachedToken | undefined> {
      try {
        const entry = await entries.get(key, now);
        if (!entry) return undefined;
        if (entry.client_id === flow.client.client_id && entry.expires_at > now && (await engine.recordIsActive(entry.active))) return entry;
        await entries.delete(key); // revoked, its key gone from /jwks (or not ours): the next answer is a fresh token
      } catch (error) {
        flow.log.warn({ valve: 'TokenCache', error: (error as { code?: string }).code ?? 'error' }, 'token cache not consulted: the store is unavailable');
      }
      return undefined;
    }

    return async function tokenCache(flow, next) {
      // Defence in depth, as the issuing valves: nothing for a caller not yet proven.
      if (!flow.authentication && !flow.assertion) throw InvalidClient('client authentication failed');
      const key = tokenCacheKey(scope, flow, ignored);
      if (key === undefined) return next(); // the flow holds something not plain data: not cacheable
      const hit = await reusable(flow, key, engine.now());
      if (hit) {
        flow.response = answerFrom(hit, engine.now());
        // flow.log makes the request's bound logger: only when the line will be written.
        if (engine.logger.isLevelEnabled('debug')) flow.log.debug({ valve: 'TokenCache' }, 'answered with a cached token');
        return; // the pipe ends here: nothing after this valve runs
      }
      await next();
      const now = engine.now();
      try {
        const entry = await entryFor(flow, engine, config.reuse_until, now);
        if (entry) await entries.set(key, entry, now);
      } catch (error) {
        // The store is down or full, or this client has used its share of it: the token
        // was issued all the same, only not kept.
        flow.log.warn({ valve: 'TokenCache', error: (error as { code?: string }).code ?? 'error' }, 'token not cached: the store refused it');
      }
    };
  },
});
