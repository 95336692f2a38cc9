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
 * `instanceof RedisStore`, and calls its ping); only the five operations are watched.
 */
export function countStoreErrors(store: Store, metrics: SluiceMetrics): Store {
  if (counted.has(store)) return store;
  const watched = new Map<PropertyKey, unknown>();
  for (const operation of STORE_OPERATIONS) {
    const errors = metrics.storeErrorSeries(operation);
    // The operation is looked up at each call, not bound once: whoever replaces it on the
    // store (a test's spy) is still the one called.
    watched.set(operation, (...args: unknown[]) =>
      (store[operation] as (...args: unknown[]) => Promise<unknown>).apply(store, args).catch((error: unknown) => {
        errors.value++;
        throw error;
      }));
  }
  const proxy = new Proxy(store, {
    get(target, property) {
      if (watched.has(property)) return watched.get(property);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  counted.add(proxy);
  return proxy;
}

