/** Where TokenCache stands: before the valve that issues, or it caches nothing useful. */
import type { ValveCheckContext, ValveProblem } from '../engine/index.js';

/** The built-in valves that issue a token (a plugin that issues is not known by name). */
export const ISSUING_VALVES: readonly string[] = ['CreateJwt', 'CreateOpaqueToken'];

export function checkTokenCachePlace(context: ValveCheckContext): ValveProblem[] {
  const before = context.valvesBefore.find((name) => ISSUING_VALVES.includes(name));
  if (before) {
    return [{ message: `TokenCache must stand before '${before}': after it, every request has already issued a new token` }];
  }
  if (!context.valvesAfter.some((name) => ISSUING_VALVES.includes(name))) {
    return [{ severity: 'warning', message: `no valve after TokenCache issues a token (${ISSUING_VALVES.join(', ')}): it has nothing to reuse` }];
  }
  return [];
}
