/** A promise with a bound: for a dependency (Redis, a probe's store read) that may never answer. */

/** `promise`, or a rejection after `ms` (`reason after N ms`); the timer never outlives the race. */
export function within<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${reason} after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
