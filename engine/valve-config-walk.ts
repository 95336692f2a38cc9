/**
 * What pipe-wiring looks for inside a valve's config, walked as plain data:
 *  - `state.X` / `item.X` read in any `${…}` expression (and in exec_if), the dests they
 *    read (checked against what earlier valves write);
 *  - `<<` keys: a merge key only in YAML 1.1; YAML 1.2 (what Sluice parses) reads it as a
 *    plain key, so `<<: *defaults` in jwt_claims silently becomes a claim named "<<".
 */
import type { ConfigPath } from './errors.js';
import { hasTemplate, parseTemplate } from './template.js';
import { parseExpression, pathsRead, type PathRead } from './expression/index.js';

export interface StateReference {
  /** The dest name read (the first segment after state./item.). */
  readonly dest: string;
  /** What reads it, as written: `${state.acces_token}`, or an exec_if expression. */
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
      if (typeof part === 'string') continue;
      for (const dest of destsRead(part.reads)) found.push({ dest, source: `\${${part.source}}`, path });
    }
  });
  return found;
}

/** The dests an exec_if expression reads (none when it does not parse: the pipe compiler says why). */
export function conditionStateReferences(source: string): StateReference[] {
  try {
    return destsRead(pathsRead(parseExpression(source))).map((dest) => ({ dest, source, path: [] }));
  } catch {
    return [];
  }
}

function destsRead(reads: readonly PathRead[]): string[] {
  return reads.flatMap((read) => ((read.namespace === 'state' || read.namespace === 'item') && read.path[0] !== undefined ? [read.path[0]] : []));
}

/** Paths (relative to the valve's config) of every `<<` key. */
export function mergeKeys(config: unknown): ConfigPath[] {
  const found: ConfigPath[] = [];
  walk(config, [], (_value, path, key) => {
    if (key === '<<') found.push(path);
  });
  return found;
}
