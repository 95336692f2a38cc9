/**
 * RateLimit: at most `limit` requests per `window` for each value of `key` (a template,
 * default the client_id); past it, 429 with Retry-After (SPEC "Flow control"). The counters
 * live in the engine store, so on Redis every instance spends one budget.
 *
 * Fixed windows aligned to the clock: the window number, floor(now / window), is part of
 * the counter's key, so one atomic store.increment per request is all it takes, on memory
 * and on Redis alike, and every instance agrees on when a window ends.
 *
 * The answer is `temporarily_unavailable` with status 429 (RFC 6585 section 4): the code
 * RFC 6749 section 5.2 gives a server that cannot serve now, which clients already treat
 * as "retry later"; the 429 and Retry-After say when.
 */
import { createHash } from 'node:crypto';
import { ConfigError, defineValve, isOAuthError, parseDuration, TemporarilyUnavailable, type ValveProblem } from '../engine/index.js';
import { checkRateLimitKey } from './rate-limit-check.js';

export interface RateLimitConfig {
  limit: number;
  window: number | string;
  key: string;
  id?: string;
  fail_open: boolean;
}

/** The store keeps counters only a little past their window: the key names the window. */
const COUNTER_PREFIX = 'ratelimit:';

/** The value a resolved key is counted under: text as it is, anything else as JSON. */
function keyText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export default defineValve<RateLimitConfig>({
  name: 'RateLimit',
  description: 'At most `limit` requests per `window` for each value of `key` (default: per client); past it, 429 temporarily_unavailable with Retry-After. Counters in the store (Redis: one budget for all instances).',
  // It may stand before ClientAuthenticate; check() says what that costs.
  runsBeforeAuthentication: true,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['limit', 'window'],
    properties: {
      limit: { type: 'integer', minimum: 1, description: 'Requests allowed per window for each key value.' },
      window: {
        type: ['number', 'string'],
        exclusiveMinimum: 0,
        maximum: 86400,
        pattern: '^(\\d+[smhd])+$',
        patternMessage: 'must be seconds as a number, or a duration such as 1s, 60s, 1m, 1h',
        description: 'The window: seconds as a number, or a duration (1m, 1h); windows are aligned to the clock.',
      },
      key: {
        type: 'string',
        minLength: 1,
        default: '${client.client_id}',
        description: 'What is counted: a template such as ${client.attributes.tenant}. A value that resolves empty is counted per client_id.',
      },
      id: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]{1,64}$',
        patternMessage: 'must be a name (letters, digits, _ . -)',
        description: 'Counter name: RateLimit valves with the same id and window (in any pipe) share one budget. Default: this valve alone (its pipe and position).',
      },
      fail_open: {
        type: 'boolean',
        default: false,
        description: 'When the store cannot count (Redis down): false refuses with 503 temporarily_unavailable; true lets the request through (logged).',
      },
    },
  },
  check(config, context): ValveProblem[] {
    return checkRateLimitKey(config.key, context);
  },
  create(config, engine, context) {
    let window: number;
    try {
      window = parseDuration(config.window, 's', 86400);
    } catch (error) {
      throw error instanceof ConfigError ? new ConfigError(error.code, error.message, ['window']) : error;
    }
    const resolveKey = engine.compileTemplate(config.key);
    // Hashed with the valve's scope: a bounded store key whatever the caller makes the key
    // resolve to, and no caller text in the store's key space.
    // The window length is part of it: valves sharing an id but not a window never mix counts.
    const scope = `${config.id !== undefined ? `id:${config.id}` : `pipe:${context.pipeId}#${context.index}`}/${window}s`;

    return async function rateLimit(flow, next) {
      const now = engine.now();
      const windowNumber = Math.floor(now / window);
      // Never one bucket for all by accident: an empty key counts per client (check warns).
      const resolved = keyText(resolveKey(flow));
      const value = resolved !== undefined ? `key:${resolved}` : `client:${flow.client.client_id}`;
      const counter = createHash('sha256').update(scope).update('\0').update(value).digest('base64url');
      let count: number;
      try {
        count = await engine.store.increment(`${COUNTER_PREFIX}${counter}:${windowNumber}`, window);
      } catch (error) {
        if (!config.fail_open || !isOAuthError(error)) throw error;
        flow.log.warn({ valve: 'RateLimit', error: error.code }, 'rate limit not counted: the store is unavailable (fail_open: true)');
        return next();
      }
      if (count > config.limit) {
        const retryAfter = Math.max(1, Math.ceil((windowNumber + 1) * window - now));
        throw TemporarilyUnavailable(`rate limit exceeded; retry after ${retryAfter} seconds`, {
          status: 429, // RFC 6585 section 4
          headers: { 'retry-after': String(retryAfter) },
          detail: `rate limit ${config.limit} per ${window}s (${scope})`,
        });
      }
      await next();
    };
  },
});
