/**
 * Pipes that run other pipes (PipeCall, and any valve that declares `calls`):
 *  - check: every id named is a pipe of the config (else an error with a did-you-mean),
 *    and no pipe reaches itself through calls (a cycle would recurse on every request);
 *  - wiring: what a called pipe's enabled valves write counts as written by the caller;
 *  - run time: engine.pipe(id) resolves the compiled pipe when it runs (the callee may
 *    come later in the file), with a depth bound as a second line of defence.
 * A called pipe's valves never make the caller authenticating or verifying: the engine
 * decides that from the caller's own valves (engine/pipes.ts), so it authenticates first.
 */
import type { Indexed } from './config/cross-refs.js';
import type { PipeConfig, ValveEntry } from './config/types.js';
import { closest } from './config/suggest.js';
import type { DiagnosticSink } from './diagnostics.js';
import { ServerError, type ConfigPath } from './errors.js';
import type { Flow } from './flow.js';
import type { DestNames, PipeRunner, ValveDefinition } from './plugin-api.js';
import type { ValveRegistry } from './registry.js';

/** How deep calls may nest at run time; check already refuses cycles. */
export const MAX_CALL_DEPTH = 8;

/** Whether a valve with this config sets flow.response (ValveDefinition.answers). */
export function valveAnswers(definition: ValveDefinition<never>, config: unknown): boolean {
  try {
    return (typeof definition.answers === 'function' ? definition.answers(config as never) : definition.answers) === true;
  } catch {
    return false; // a throwing declaration is the plugin's bug; it counts as not answering
  }
}

function names(declared: DestNames<never> | undefined, config: unknown): string[] {
  try {
    const list = typeof declared === 'function' ? declared(config as never) : declared ?? [];
    return Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return []; // a throwing declaration is reported by the wiring check
  }
}

/** The pipes a schema-valid valve entry calls (when enabled, unless `evenDisabled`). */
function callsOf(entry: ValveEntry, registry: ValveRegistry, evenDisabled = false): string[] {
  const registered = registry.get(entry.name);
  if ((!entry.enabled && !evenDisabled) || !registered?.definition.calls || !registered.validate(entry.config)) return [];
  return names(registered.definition.calls, entry.config);
}

function callPath(entry: ValveEntry, valvePath: ConfigPath, id: string): ConfigPath {
  const key = Object.entries(entry.config ?? {}).find(([, v]) => v === id)?.[0];
  return key === undefined ? [...valvePath, 'name'] : [...valvePath, 'config', key];
}

interface Call {
  readonly from: string;
  readonly to: string;
  /** Where to point: the config key naming the pipe, else the valve's name. */
  readonly path: ConfigPath;
  readonly enabled: boolean;
}

function collectCalls(pipes: ReadonlyArray<Indexed<PipeConfig>>, registry: ValveRegistry, evenDisabled = false): Call[] {
  return pipes.flatMap(([pipe, p]) => pipe.valves.flatMap((entry, v) =>
    callsOf(entry, registry, evenDisabled).map((to) => ({ from: pipe.id, to, path: callPath(entry, ['pipes', p, 'valves', v], to), enabled: entry.enabled }))));
}

/** A path of calls from `from` to `target`, or undefined. */
function route(calls: readonly Call[], from: string, target: string, seen = new Set<string>()): string[] | undefined {
  if (from === target) return [target];
  if (seen.has(from)) return undefined;
  seen.add(from);
  for (const call of calls.filter((c) => c.from === from)) {
    const rest = route(calls, call.to, target, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}

/**
 * How many calls deep a run of each pipe nests, at most; memoised, so that many paths
 * through the same pipes cost one visit each. A cycle (refused elsewhere) counts once.
 */
function nestingOf(calls: readonly Call[]): (id: string) => number {
  const known = new Map<string, number>();
  const visiting = new Set<string>();
  const nesting = (id: string): number => {
    const cached = known.get(id);
    if (cached !== undefined) return cached;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const depth = Math.max(0, ...calls.filter((c) => c.from === id).map((c) => 1 + nesting(c.to)));
    visiting.delete(id);
    known.set(id, depth);
    return depth;
  };
  return nesting;
}

export function checkPipeCalls(pipes: ReadonlyArray<Indexed<PipeConfig>>, declaredIds: readonly string[], registry: ValveRegistry, sink: DiagnosticSink): void {
  // A disabled valve's id is checked too (a typo must not wait until it is switched on);
  // only enabled ones run, so only they make cycles and depth.
  const all = collectCalls(pipes, registry, true);
  const calls = all.filter((c) => c.enabled);
  const nesting = nestingOf(calls);
  for (const call of all) {
    if (!declaredIds.includes(call.to)) {
      const hint = closest(call.to, declaredIds);
      sink.add('unknown_pipe', `unknown pipe '${call.to}'${hint ? ` (did you mean '${hint}'?)` : `; pipes: ${declaredIds.join(', ') || 'none'}`}`, call.path);
      continue;
    }
    if (!call.enabled) continue;
    const back = route(calls, call.to, call.from);
    if (back) {
      const cycle = [call.from, ...back].join(' -> ');
      sink.add('valve_config', call.to === call.from ? `pipe '${call.from}' calls itself: every request would recurse` : `pipe calls go round in a cycle (${cycle}): every request would recurse`, call.path);
    } else if (1 + nesting(call.to) > MAX_CALL_DEPTH) {
      sink.add('valve_config', `calling pipe '${call.to}' here nests pipe calls more than ${MAX_CALL_DEPTH} deep`, call.path);
    }
  }
}

/** The ids some enabled valve of some pipe calls: pipes that are used, though no client names them. */
export function calledPipeIds(pipes: ReadonlyArray<Indexed<PipeConfig>>, registry: ValveRegistry): Set<string> {
  return new Set(collectCalls(pipes, registry).map((c) => c.to));
}

/** What a pipe does, with what the pipes it calls do. */
export interface PipeReach {
  /** The dests its enabled valves write. */
  readonly writes: Set<string>;
  /** Whether an enabled valve answers (sets flow.response). */
  readonly answers: boolean;
}

/**
 * What each pipe's enabled valves do, the pipes they call included: a reader after a
 * PipeCall finds the callee's dests, and a callee's TokenResponse answers for the caller.
 * Cycles (refused by checkPipeCalls) end the walk.
 */
export function pipeReach(pipes: ReadonlyArray<Indexed<PipeConfig>>, registry: ValveRegistry): (id: string) => PipeReach {
  const byId = new Map(pipes.map(([pipe]) => [pipe.id, pipe]));
  const walk = (id: string, seen: Set<string>): PipeReach => {
    const writes = new Set<string>();
    let answers = false;
    const pipe = byId.get(id);
    if (!pipe || seen.has(id)) return { writes, answers };
    seen.add(id);
    for (const entry of pipe.valves) {
      const registered = registry.get(entry.name);
      if (!entry.enabled || !registered || !registered.validate(entry.config)) continue;
      answers ||= valveAnswers(registered.definition, entry.config);
      for (const dest of names(registered.definition.writes, entry.config)) writes.add(dest);
      for (const callee of callsOf(entry, registry)) {
        const reached = walk(callee, seen);
        reached.writes.forEach((dest) => writes.add(dest));
        answers ||= reached.answers;
      }
    }
    return { writes, answers };
  };
  return (id) => walk(id, new Set());
}

/**
 * What every caller of a pipe has written when it calls it: a pipe that only PipeCall runs
 * sees its callers' state (`${state.ctx.region}` after the caller's `StateSet` with
 * `dest: ctx`), so the wiring check starts it from that. A pipe that clients also use
 * directly starts from nothing, as it does on their requests; a dest that only some callers
 * write is not counted (on the other calls it resolves to nothing).
 */
export function stateAtCalls(pipes: ReadonlyArray<Indexed<PipeConfig>>, registry: ValveRegistry, usedDirectly: ReadonlySet<string>): (id: string) => ReadonlySet<string> {
  const reach = pipeReach(pipes, registry);
  const known = new Map<string, ReadonlySet<string>>();
  const visiting = new Set<string>(); // a cycle (refused by checkPipeCalls) adds nothing
  const seedOf = (id: string): ReadonlySet<string> => {
    const cached = known.get(id);
    if (cached) return cached;
    if (usedDirectly.has(id) || visiting.has(id)) return new Set();
    visiting.add(id);
    let seed: Set<string> | undefined;
    for (const [caller] of pipes) {
      const written = new Set<string>();
      for (const entry of caller.valves) {
        const registered = registry.get(entry.name);
        if (!entry.enabled || !registered || !registered.validate(entry.config)) continue;
        const callees = callsOf(entry, registry);
        if (callees.includes(id)) {
          const here = new Set([...seedOf(caller.id), ...written]);
          seed = seed ? new Set([...seed].filter((dest) => here.has(dest))) : here;
        }
        for (const dest of names(registered.definition.writes, entry.config)) written.add(dest);
        for (const callee of callees) reach(callee).writes.forEach((dest) => written.add(dest));
      }
    }
    visiting.delete(id);
    const result = seed ?? new Set<string>();
    known.set(id, result);
    return result;
  };
  return seedOf;
}

const depths = new WeakMap<Flow, number>();

/** engine.pipe: a runner that finds pipe `id` among the compiled ones when it runs. */
export function pipeRunner(id: string, compiled: () => ReadonlyMap<string, { readonly run: PipeRunner }> | undefined): PipeRunner {
  return async function runCalledPipe(flow: Flow): Promise<void> {
    const pipe = compiled()?.get(id);
    if (!pipe) throw ServerError(`pipe '${id}' is not available`);
    const depth = depths.get(flow) ?? 0;
    if (depth >= MAX_CALL_DEPTH) throw ServerError(`pipe calls nest deeper than ${MAX_CALL_DEPTH}`);
    depths.set(flow, depth + 1);
    try {
      await pipe.run(flow);
    } finally {
      depths.set(flow, depth);
    }
  };
}
