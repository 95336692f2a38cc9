/**
 * Which parts of a flow hold what the caller sends, as `sluice check` sees a pipe: the flow
 * paths ("state.who", "state.dest.name", "claims.foo") that enabled valves before a valve
 * fill from the request (ValveDefinition.fillsFromCaller). CreateJwt and ClaimsSet refuse
 * an identity claim read from such a path as they refuse `${request.params.x}`: a copy into
 * state or claims does not make the caller's choice the pipe's own data.
 */
import type { PipeConfig } from './config/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { ConfigPath } from './errors.js';
import type { PathRead } from './expression/index.js';
import { statePath } from './namespaces.js';
import { MAX_CALL_DEPTH } from './pipe-calls.js';
import type { ValveRegistry } from './registry.js';

/**
 * The flow path a read names (`item.x` and `items[0].x` are `state.x`, engine/namespaces.ts),
 * or undefined outside state and claims.
 */
function flowPath(read: PathRead): string | undefined {
  const state = statePath(read.namespace, read.path);
  if (state) return ['state', ...state].join('.');
  return read.namespace === 'claims' ? ['claims', ...read.path].join('.') : undefined;
}

/**
 * Whether a `${state.…}`, `${item.…}`, `${items[0].…}` or `${claims.…}` read may yield what the caller sent:
 * it names a caller-chosen path, a part of one, or something holding one (`${state}`).
 */
export function readsCallerChosen(read: PathRead, callerChosen: ReadonlySet<string>): boolean {
  const path = flowPath(read);
  if (path === undefined) return false;
  for (const chosen of callerChosen) {
    if (chosen === path || chosen.startsWith(`${path}.`) || path.startsWith(`${chosen}.`)) return true;
  }
  return false;
}

/** What `sluice check` needs to follow caller-chosen paths through a pipe and the pipes it calls. */
export interface CallerChosenInput {
  readonly pipesById: ReadonlyMap<string, PipeConfig>;
  readonly registry: ValveRegistry;
  /** Absent while callerChosenOnEntry settles: a plugin's failure is reported once, by the final walk. */
  readonly sink?: DiagnosticSink;
  /** Told, for each pipe this one calls, what is caller-chosen where it calls it. */
  readonly onCall?: (id: string, chosen: ReadonlySet<string>) => void;
}

/**
 * The caller-chosen paths before each valve of `pipe` (by index), given those on entry.
 * A valve that calls pipes fills what their valves fill. Like the dest wiring, a valve
 * with exec_if counts as if it ran.
 */
export function callerChosenBefore(pipe: PipeConfig, pipePath: ConfigPath, input: CallerChosenInput, entry: ReadonlySet<string> = new Set(), depth = 0): { before: ReadonlySet<string>[]; after: ReadonlySet<string> } {
  const chosen = new Set(entry);
  const before: ReadonlySet<string>[] = [];
  pipe.valves.forEach((valve, index) => {
    before.push(new Set(chosen));
    const registered = input.registry.get(valve.name);
    if (!valve.enabled || !registered || !registered.validate(valve.config)) return;
    const { definition } = registered;
    try {
      for (const path of definition.fillsFromCaller?.(valve.config as never, new Set(chosen)) ?? []) {
        if (typeof path === 'string') chosen.add(path);
      }
    } catch (error) {
      // Reported once, for the pipe itself: not again for each pipe that calls it.
      if (depth === 0) input.sink?.add('plugin', `valve '${valve.name}': fillsFromCaller failed: ${(error as Error).message}`, [...pipePath, 'valves', index, 'name']);
    }
    // A cycle is refused by pipe-calls.ts; the depth bound keeps this walk finite meanwhile.
    if (!definition.calls || depth >= MAX_CALL_DEPTH) return;
    let ids: unknown;
    try {
      ids = typeof definition.calls === 'function' ? definition.calls(valve.config as never) : definition.calls;
    } catch {
      return; // reported by the wiring check
    }
    for (const id of Array.isArray(ids) ? ids : []) {
      const callee = typeof id === 'string' ? input.pipesById.get(id) : undefined;
      if (callee && depth === 0) input.onCall?.(callee.id, chosen);
      if (callee) for (const path of callerChosenBefore(callee, pipePath, input, chosen, depth + 1).after) chosen.add(path);
    }
  });
  return { before, after: chosen };
}

/**
 * What is caller-chosen when each pipe starts: the union over the places that call it (a
 * pipe no valve calls starts with nothing). A called pipe's CreateJwt is judged by what its
 * callers put into state before calling it.
 */
export function callerChosenOnEntry(pipes: readonly PipeConfig[], input: Omit<CallerChosenInput, 'sink' | 'onCall'>): ReadonlyMap<string, ReadonlySet<string>> {
  const onEntry = new Map<string, Set<string>>();
  let grew = true;
  // Each round carries what callers choose one call deeper; sets only grow, and calls nest
  // at most MAX_CALL_DEPTH deep at run time, so a few rounds settle it (cycles are refused).
  for (let round = 0; grew && round <= MAX_CALL_DEPTH; round++) {
    grew = false;
    const onCall = (id: string, chosen: ReadonlySet<string>) => {
      const entry = onEntry.get(id) ?? new Set<string>();
      onEntry.set(id, entry);
      for (const path of chosen) {
        if (entry.has(path)) continue;
        entry.add(path);
        grew = true;
      }
    };
    for (const pipe of pipes) callerChosenBefore(pipe, [], { ...input, onCall }, onEntry.get(pipe.id));
  }
  return onEntry;
}
