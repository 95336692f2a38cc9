/**
 * What pipe-wiring looks for inside a valve's config, walked as plain data:
 *  - `${state.X}` / `${item.X}` templates, the dests they read (checked against what
 *    earlier valves write);
 *  - `<<` keys: a merge key only in YAML 1.1; YAML 1.2 (what Sluice parses) reads it as a
 *    plain key, so `<<: *defaults` in jwt_claims silently becomes a claim named "<<".
 */
import type { ConfigPath } from './errors.js';
import { hasTemplate, parseTemplate } from './template.js';

export interface StateReference {
  /** The dest name read (the first segment after state./item.). */
  readonly dest: string;
  /** The expression as written, e.g. `state.acces_token`. */
  readonly source: string;
  /** Relative to the valve's config. */
  readonly path: ConfigPath;
}

function walk(value: unknown, path: ConfigPath, visit: (value: unknown, path: ConfigPath, key?: string) => void): void {
  visit(value, path);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], visit));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(undefined, [...path, k], k);
      walk(v, [...path, k], visit);
    }
  }
}

export function stateReferences(config: unknown): StateReference[] {
  const found: StateReference[] = [];
  walk(config, [], (value, path) => {
    if (typeof value !== 'string' || !hasTemplate(value)) return;
    let parts;
    try {
      parts = parseTemplate(value);
    } catch {
      return; // a syntax error is reported by the template check
    }
    for (const part of parts) {
      if (typeof part === 'string' || (part.namespace !== 'state' && part.namespace !== 'item')) continue;
      const [dest] = part.path;
      if (dest !== undefined) found.push({ dest, source: part.source, path });
    }
  });
  return found;
}

/** Paths (relative to the valve's config) of every `<<` key. */
export function mergeKeys(config: unknown): ConfigPath[] {
  const found: ConfigPath[] = [];
  walk(config, [], (_value, path, key) => {
    if (key === '<<') found.push(path);
  });
  return found;
}
