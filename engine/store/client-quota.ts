/**
 * A client's share of the store. The store refuses new entries when full (evicting would
 * bring revocations or used assertion ids back), so whatever a client can make us keep
 * (assertion ids, opaque tokens) is counted per client and window: past its share, that
 * client alone gets 503, and the others keep theirs.
 */
import { createHash } from 'node:crypto';
import { TemporarilyUnavailable } from '../errors.js';
import type { Store } from './types.js';

export interface ClientQuota {
  /** What is counted, part of the store key (e.g. 'assertion', 'opaque'). */
  readonly kind: string;
  readonly limit: number;
  readonly windowSeconds: number;
  /** The description of the 503. */
  readonly refusal: string;
  readonly retryAfterSeconds: number;
}

/** Count one more for `clientId`; throws temporarily_unavailable past the limit. */
export async function chargeClientQuota(store: Store, clientId: string, quota: ClientQuota): Promise<void> {
  // Hashed: a bounded key whatever the client_id, and no client data as a store key.
  const client = createHash('sha256').update(clientId).digest('base64url');
  const used = await store.increment(`${quota.kind}-quota:${client}`, quota.windowSeconds);
  if (used > quota.limit) throw TemporarilyUnavailable(quota.refusal, { headers: { 'retry-after': String(quota.retryAfterSeconds) } });
}
