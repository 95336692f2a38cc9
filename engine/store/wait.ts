/**
 * `sluice serve` with a Redis store: wait for Redis before listening, with a bounded
 * retry, and say so in the log. An orchestrator often starts Sluice and Redis together;
 * serving before Redis answers would turn the first requests into 503s, and a Redis that
 * never comes is a mistake (host, port, password) better told at start than per request.
 */
import type { Logger } from 'pino';
import { isOAuthError } from '../errors.js';
import { RedisStore } from './redis.js';
import type { Store } from './types.js';

const ATTEMPT_INTERVAL_MS = 1000;

/** Resolves when the store answers; returns the last error's text when it did not within `timeoutSeconds`. */
export async function waitForStore(store: Store, logger: Logger, timeoutSeconds: number): Promise<string | undefined> {
  if (!(store instanceof RedisStore)) return undefined;
  const deadline = Date.now() + timeoutSeconds * 1000;
  logger.info({ event: 'store_waiting', store: store.where, timeout_s: timeoutSeconds }, `waiting for the store (up to ${timeoutSeconds} s)`);
  for (let attempt = 1; ; attempt++) {
    try {
      await store.ping();
      logger.info({ event: 'store_ready', store: store.where, attempts: attempt }, 'the store answers');
      await warnAboutEviction(store, logger);
      return undefined;
    } catch (error) {
      const reason = isOAuthError(error) ? (error.detail ?? error.message) : (error as Error).message;
      if (Date.now() + ATTEMPT_INTERVAL_MS > deadline) return reason;
      logger.warn({ event: 'store_waiting', store: store.where, attempt, error: reason }, 'the store does not answer yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, ATTEMPT_INTERVAL_MS));
    }
  }
}

/**
 * A Redis that evicts keys under memory pressure would drop revocations (a revoked token
 * comes back) and used assertion ids (a replay is accepted): every Sluice key has a TTL,
 * so even the volatile-* policies pick them (third attack review, M1). Said loudly at
 * start; not refused, since a managed Redis may not let the operator change it.
 */
async function warnAboutEviction(store: RedisStore, logger: Logger): Promise<void> {
  const policy = await store.evictionPolicy().catch(() => undefined);
  if (policy !== undefined && policy !== 'noeviction') {
    logger.error({ event: 'store_evicts', store: store.where, maxmemory_policy: policy }, `Redis maxmemory-policy is ${policy}: under memory pressure it drops revocations and used assertion ids; set it to noeviction`);
  }
}
