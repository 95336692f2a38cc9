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

/**
 * Hashed: a bounded key whatever the client_id, and no client data as a store key. The
 * callers charge registered clients only, again and again: the hashes of the latest ones
 * are kept rather than made per request (issue 14), a bounded number of them.
 */
const HASHES_REMEMBERED = 4096;
const clientHashes = new Map<string, string>();

function clientHash(clientId: string): string {
  let hash = clientHashes.get(clientId);
  if (hash === undefined) {
    hash = createHash('sha256').update(clientId).digest('base64url');
    if (clientHashes.size >= HASHES_REMEMBERED) clientHashes.delete(clientHashes.keys().next().value!);
    clientHashes.set(clientId, hash);
  }
  return hash;
}

/** Count one more for `clientId`; throws temporarily_unavailable past the limit. */
export async function chargeClientQuota(store: Store, clientId: string, quota: ClientQuota): Promise<void> {
  const client = clientHash(clientId);
  const used = await store.increment(`${quota.kind}-quota:${client}`, quota.windowSeconds);
  if (used > quota.limit) throw TemporarilyUnavailable(quota.refusal, { headers: { 'retry-after': String(quota.retryAfterSeconds) } });
}
