/**
 * Which FortifiedID pipes come over: a pipe is carried over as written when Sluice has
 * every valve it names; else it is left out, reported at the valve. A pipe that calls
 * (PipeCall, PipeExec) a pipe left out is left out too. Pipes no RP uses still come over:
 * they may be called, or bound later.
 */
import { classNameAdvice } from '../../config/cross-refs.js';
import type { ConfigPath } from '../../errors.js';
import type { ValveRegistry } from '../../registry.js';
import { isMap, type FoundModule, type InputFile, type Json } from './modules.js';

/** A pipe as read: where it is, and what it calls (pipe id → where the call is written). */
interface ReadPipe {
  readonly id: string;
  readonly input: InputFile;
  readonly path: ConfigPath;
  pipe: Json;
  readonly calls: Array<{ readonly to: string; readonly path: ConfigPath }>;
}

export interface PipeSelection {
  /** The pipes carried over, in input order. */
  readonly pipes: Json[];
  /** Ids of pipes read but left out (their RPs are left out too). */
  readonly leftOut: Set<string>;
}

export function selectPipes(modules: readonly FoundModule[], registry: ValveRegistry): PipeSelection {
  const read: ReadPipe[] = [];
  const leftOut = new Set<string>();
  for (const module of modules) {
    const { input, config, path } = module;
    if (!Array.isArray(config.pipes)) {
      input.sink.warn('schema', 'pipes is not a list: not carried over', [...path, 'pipes']);
      continue;
    }
    config.pipes.forEach((pipe: unknown, i) => {
      const pipePath = [...path, 'pipes', i];
      const readPipe = readOne(pipe, pipePath, input, registry);
      if (!readPipe) {
        if (isMap(pipe) && typeof pipe.id === 'string') leftOut.add(pipe.id);
        return;
      }
      const earlier = read.find((r) => r.id === readPipe.id);
      if (earlier) {
        const at = earlier.input.source.locate([...earlier.path, 'id']);
        input.sink.warn('duplicate_id', `pipe id '${readPipe.id}' was already read at ${earlier.input.file}:${at.line}:${at.col}: this one is not carried over`, [...pipePath, 'id']);
        return;
      }
      read.push(readPipe);
    });
  }
  // A call to a pipe left out (or never read) leaves the caller out, and so on up.
  const known = new Set(read.map((r) => r.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const pipe of read) {
      if (leftOut.has(pipe.id)) continue;
      const broken = pipe.calls.find((c) => leftOut.has(c.to) || !known.has(c.to));
      if (!broken) continue;
      const why = known.has(broken.to) || leftOut.has(broken.to) ? 'which is not carried over' : 'which is in none of the inputs';
      pipe.input.sink.warn('unknown_pipe', `calls pipe '${broken.to}', ${why}: pipe '${pipe.id}' is not carried over`, broken.path);
      leftOut.add(pipe.id);
      changed = true;
    }
  }
  return { pipes: read.filter((r) => !leftOut.has(r.id)).map((r) => r.pipe), leftOut };
}

/** One pipe, or undefined (reported) when Sluice cannot run it as written. */
function readOne(pipe: unknown, path: ConfigPath, input: InputFile, registry: ValveRegistry): ReadPipe | undefined {
  if (!isMap(pipe) || typeof pipe.id !== 'string' || pipe.id === '') {
    input.sink.warn('schema', 'a pipe needs an id: not carried over', path);
    return undefined;
  }
  const fortified = isMap(pipe.config);
  const valves: unknown = fortified ? (pipe.config as Json).valves : pipe.valves;
  const valvesPath = [...path, ...(fortified ? ['config', 'valves'] : ['valves'])];
  if (!Array.isArray(valves)) {
    input.sink.warn('schema', `pipe '${pipe.id}' has no list of valves: not carried over`, valvesPath);
    return undefined;
  }
  const calls: ReadPipe['calls'] = [];
  let usable = true;
  valves.forEach((valve: unknown, v) => {
    const valvePath = [...valvesPath, v];
    const name = isMap(valve) ? valve.name : undefined;
    if (typeof name !== 'string') {
      input.sink.warn('schema', `a valve needs a name: pipe '${pipe.id}' is not carried over`, valvePath);
      usable = false;
      return;
    }
    const registered = registry.get(name);
    if (!registered) {
      const why = classNameAdvice(name, registry.names()) ?? `valve '${name}' has no Sluice equivalent${rewriteHint(name)}`;
      input.sink.warn('unknown_valve', `${why}: pipe '${pipe.id}' is not carried over`, [...valvePath, 'name']);
      usable = false;
      return;
    }
    for (const to of calledPipes(registered.definition.calls, (valve as Json).config)) {
      const key = Object.entries(isMap((valve as Json).config) ? ((valve as Json).config as Json) : {}).find(([, value]) => value === to)?.[0];
      calls.push({ to, path: key === undefined ? [...valvePath, 'name'] : [...valvePath, 'config', key] });
    }
  });
  return usable ? { id: pipe.id, input, path, pipe, calls } : undefined;
}

/** The pipe ids a valve's `calls` declaration names for this config (PipeCall's `pipe`). */
function calledPipes(calls: unknown, config: unknown): string[] {
  try {
    const list: unknown = typeof calls === 'function' ? (calls as (c: unknown) => unknown)(config ?? {}) : calls;
    return Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return []; // the config is wrong: `sluice check` on the output says how
  }
}

/**
 * What to write instead, for the valves README's "Coming from FortifiedID" maps by hand:
 * the importer drops such a pipe, and the user rewrites it.
 */
function rewriteHint(name: string): string {
  if (/ldap/i.test(name)) return ' (look the client up in an HTTP directory with HttpRequest instead: README, Coming from FortifiedID)';
  if (name === 'CreateItem' || name === 'ItemPropertyCopy') return ' (a flow has one item, its valve outputs: write them with StateSet or JsonObjectCreate)';
  return '';
}
