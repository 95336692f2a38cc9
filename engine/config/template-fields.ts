/**
 * `client.attributes.X` in a pipe (in any `${…}` or exec_if expression) reads an attribute of whichever client runs the pipe.
 * When no client bound to the pipe has X, the expression is empty on every request: most
 * likely a typo or a forgotten attribute, so `check` warns at the template string.
 */
import type { ConfigPath } from '../errors.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { GRANT_TYPES, pipeIdOf } from '../grants/index.js';
import type { PathRead } from '../expression/index.js';
import { conditionReads, configReads } from '../valve-config-walk.js';
import { conditionKey } from '../valve-condition.js';
import type { Indexed } from './cross-refs.js';
import { closest } from './suggest.js';
import type { PipeConfig, RpConfig } from './types.js';

export function warnUnknownAttributes(rps: ReadonlyArray<Indexed<RpConfig>>, pipes: ReadonlyArray<Indexed<PipeConfig>>, sink: DiagnosticSink): void {
  const attributes = attributesByPipe(rps);
  for (const [pipe, p] of pipes) {
    const names = attributes.get(pipe.id);
    if (!names) continue; // no client uses the pipe: nothing to compare with
    const known = [...names];
    const warnUnknown = (reads: readonly string[], path: ConfigPath): void => {
      for (const name of reads) {
        if (names.has(name)) continue;
        const hint = closest(name, known);
        sink.warn('template', `no client using pipe '${pipe.id}' has attribute '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}: 'client.attributes.${name}' is empty for all of them`, path);
      }
    };
    pipe.valves.forEach((valve, v) => {
      const configPath: ConfigPath = ['pipes', p, 'valves', v, 'config'];
      for (const { read, path } of configReads(valve.config)) warnUnknown(attributeNames([read]), [...configPath, ...path]);
      const key = conditionKey(valve);
      if (key) warnUnknown(attributeNames(conditionReads(valve[key]!).map((r) => r.read)), ['pipes', p, 'valves', v, key]);
    });
  }
}

/**
 * The attribute names of the clients bound to each pipe (by any grant), in the order the
 * RPs give them: one pass over the RPs, not one per pipe (100,000 RPs, many pipes).
 */
function attributesByPipe(rps: ReadonlyArray<Indexed<RpConfig>>): Map<string, Set<string>> {
  const grants = [...GRANT_TYPES.values()];
  const byPipe = new Map<string, Set<string>>();
  for (const [rp] of rps) {
    for (const grant of grants) {
      const id = pipeIdOf(rp, grant);
      if (id === undefined) continue;
      let names = byPipe.get(id);
      if (!names) byPipe.set(id, (names = new Set()));
      for (const name of Object.keys(rp.attributes ?? {})) names.add(name);
    }
  }
  return byPipe;
}

function attributeNames(reads: readonly PathRead[]): string[] {
  return reads.flatMap((r) => (r.namespace === 'client' && r.path[0] === 'attributes' && r.path[1] !== undefined ? [r.path[1]] : []));
}
