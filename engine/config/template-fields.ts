/**
 * `${client.attributes.X}` in a pipe reads an attribute of whichever client runs the pipe.
 * When no client bound to the pipe has X, the expression is empty on every request: most
 * likely a typo or a forgotten attribute, so `check` warns at the template string.
 */
import type { ConfigPath } from '../errors.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { GRANT_TYPES, pipeIdOf } from '../grants/index.js';
import { parseTemplate } from '../template.js';
import type { Indexed } from './cross-refs.js';
import { closest } from './suggest.js';
import type { PipeConfig, RpConfig } from './types.js';

export function warnUnknownAttributes(rps: ReadonlyArray<Indexed<RpConfig>>, pipes: ReadonlyArray<Indexed<PipeConfig>>, sink: DiagnosticSink): void {
  const grants = [...GRANT_TYPES.values()];
  for (const [pipe, p] of pipes) {
    const users = rps.filter(([rp]) => grants.some((grant) => pipeIdOf(rp, grant) === pipe.id)).map(([rp]) => rp);
    if (users.length === 0) continue; // nothing to compare with
    const known = [...new Set(users.flatMap((rp) => Object.keys(rp.attributes ?? {})))];
    pipe.valves.forEach((valve, v) => {
      forEachString(valve.config, ['pipes', p, 'valves', v, 'config'], (text, path) => {
        for (const name of attributesRead(text)) {
          if (known.includes(name)) continue;
          const hint = closest(name, known);
          sink.warn('template', `no client using pipe '${pipe.id}' has attribute '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}: '\${client.attributes.${name}}' is empty for all of them`, path);
        }
      });
    });
  }
}

/** The attribute names `${client.attributes.NAME…}` expressions of `text` read. */
function attributesRead(text: string): string[] {
  if (!text.includes('${')) return [];
  try {
    return parseTemplate(text).flatMap((part) =>
      typeof part !== 'string' && part.namespace === 'client' && part.path[0] === 'attributes' && part.path[1] !== undefined ? [part.path[1]] : []);
  } catch {
    return []; // a malformed template is reported by the pipe compiler
  }
}

function forEachString(value: unknown, path: ConfigPath, visit: (text: string, path: ConfigPath) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, [...path, i], visit));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) forEachString(v, [...path, k], visit);
}
