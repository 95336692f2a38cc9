/** Where TokenCache stands: before the valve that issues, or it caches nothing useful. */
import type { ValveCheckContext, ValveProblem } from '../engine/index.js';

/** The built-in valves that issue a token (a plugin that issues is not known by name). */
export const ISSUING_VALVES: readonly string[] = ['CreateJwt', 'CreateOpaqueToken'];

/**
 * Request parameters the engine itself turns into the token (its lifetime, scope and
 * audience): left out of the key, a token made for one value would be handed out for
 * another (attack review of issue 12: a token outliving the at_lifetime asked for).
 */
export const SHAPING_PARAMS: readonly string[] = ['grant_type', 'scope', 'resource', 'audience', 'at_lifetime'];

export function ignoredParamProblems(ignored: readonly string[]): ValveProblem[] {
  return ignored.flatMap((name, index) => (SHAPING_PARAMS.includes(name)
    ? [{ path: ['ignore_params', index], message: `'${name}' shapes the token (${SHAPING_PARAMS.join(', ')} do): left out of the key, a token made for one value would be reused for another` }]
    : []));
}

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
