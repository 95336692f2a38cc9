/**
 * Merging plain data on the request path without object spread. `{ ...a, ...b }` says what
 * is meant, but V8 (Node 20) gives an object literal that starts with a spread a hidden
 * class (map) of its own: every property added to it afterwards makes a new map, per
 * object, so each request built new maps and the code reading those objects went
 * megamorphic (issue 14: about a seventh of a token's CPU). An object made by a plain
 * literal (`{}` too) and extended in place shares its maps with every other request's.
 */

/**
 * `target` with `source`'s own enumerable properties, as `{ ...target, ...source }` would
 * have them. An own `__proto__` key (JSON.parse and the YAML reader make them) stays a key,
 * as spread keeps it, where Object.assign would set the prototype instead.
 */
export function merged<T extends object>(target: T, source: object | undefined): T {
  if (source === undefined) return target;
  return Object.hasOwn(source, '__proto__') ? { ...target, ...source } : Object.assign(target, source);
}
