/**
 * What config checks look for inside a valve entry, walked as plain data:
 *  - the paths its `${…}` expressions and its exec_if read (configReads, conditionReads):
 *    the `state.X` / `item.X` / `items[0].X` dests pipe wiring checks against what earlier valves write,
 *    the `client.attributes.X` that template-fields.ts checks against the clients;
 *  - `<<` keys: a merge key only in YAML 1.1; YAML 1.2 (what Sluice parses) reads it as a
 *    plain key, so `<<: *defaults` in jwt_claims silently becomes a claim named "<<".
 */
import type { ConfigPath } from './errors.js';
import { hasTemplate, parseTemplate } from './template.js';
import { parseExpression, pathsRead, type PathRead } from './expression/index.js';
import { statePath } from './namespaces.js';

export interface StateReference {
  /** The dest name read (the first segment after state., item., items[0].). */
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

/** A path an expression of a valve's config reads, with where and how it is written. */
export interface ConfigRead {
  readonly read: PathRead;
  /** The expression as written: `${state.acces_token}` in a template, or an exec_if source. */
  readonly source: string;
  /** Relative to the valve's config. */
  readonly path: ConfigPath;
}

/** Every path the `${…}` expressions of a valve's config read (a malformed template is the template check's to report). */
export function configReads(config: unknown): ConfigRead[] {
  const found: ConfigRead[] = [];
  walk(config, [], (value, path) => {
    if (typeof value !== 'string' || !hasTemplate(value)) return;
    let parts;
    try {
      parts = parseTemplate(value);
    } catch {
      return;
    }
    for (const part of parts) {
      if (typeof part === 'string') continue;
      for (const read of part.reads) found.push({ read, source: `\${${part.source}}`, path });
    }
  });
  return found;
}

/** Every path an exec_if expression reads (none when it does not parse: the pipe compiler says why). */
export function conditionReads(source: string): ConfigRead[] {
  try {
    return pathsRead(parseExpression(source)).map((read) => ({ read, source, path: [] }));
  } catch {
    return [];
  }
}

/** The state dests among `reads` (`state.X`, `item.X`, `items[0].X`, by X). */
export function stateReferences(reads: readonly ConfigRead[]): StateReference[] {
  return reads.flatMap(({ read, source, path }) => {
    const dest = statePath(read.namespace, read.path)?.[0];
    return dest === undefined ? [] : [{ dest, source, path }];
  });
}

/** Paths (relative to the valve's config) of every `<<` key. */
export function mergeKeys(config: unknown): ConfigPath[] {
  const found: ConfigPath[] = [];
  walk(config, [], (_value, path, key) => {
    if (key === '<<') found.push(path);
  });
  return found;
}
