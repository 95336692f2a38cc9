/**
 * Store failures counted by operation (`sluice_store_errors_total`): a Store that cannot
 * answer (Redis down, memory full) refuses, and the operator should see it before the
 * clients do. The store outlives a reload (the running one is passed on), so it is
 * wrapped once: wrapping a counted store again returns it as it is.
 */
import { STORE_OPERATIONS } from '../cluster/store-protocol.js';
import type { Store } from '../store/types.js';
import type { SluiceMetrics } from './metrics.js';

const counted = new WeakSet<Store>();

/**
 * A Proxy, not a copy: the store stays what it is to everyone else (waitForStore asks
 * `instanceof RedisStore`, and calls its ping); only the five operations are watched,
 * as they were when wrapped. An operation replaced on the store since (a test's spy) is
 * handed out as it now is.
 */
export function countStoreErrors(store: Store, metrics: SluiceMetrics): Store {
  if (counted.has(store)) return store;
  const originals = new Map<PropertyKey, unknown>();
  const watched = new Map<PropertyKey, unknown>();
  for (const operation of STORE_OPERATIONS) {
    const errors = metrics.storeErrorSeries(operation);
    const original = store[operation] as (...args: unknown[]) => Promise<unknown>;
    originals.set(operation, original);
    watched.set(operation, (...args: unknown[]) =>
      original.apply(store, args).catch((error: unknown) => {
        errors.value++;
        throw error;
      }));
  }
  const proxy = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (watched.has(property) && value === originals.get(property)) return watched.get(property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  counted.add(proxy);
  return proxy;
}
