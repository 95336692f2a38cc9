/**
 * Checks of a pipe as a whole, from what its valves declare (engine/plugin-api.ts):
 *  - each valve's own check(config, context), with the clients that use the pipe;
 *  - reads/writes: a valve that reads a dest no enabled valve before it writes would fail
 *    every request (a disabled CreateJwt before TokenResponse); an error at the reader;
 *  - setsClaims after readsClaims: those claims miss the token; a warning;
 *  - `state.X` / `item.X` / `items[0].X` in a valve's config or exec_if where no enabled
 *    valve before it writes X: a warning with a did-you-mean (a typo would silently drop the value; a warning,
 *    not an error, because plugins may write state without declaring `writes`);
 *  - `<<` keys in a valve's config: a plain key in YAML 1.2, not a merge; a warning;
 *  - a valve that calls pipes (`calls`, PipeCall) writes what they write (pipe-calls.ts);
 *  - which state and claims paths earlier valves fill from the request, for each valve's
 *    check, also on entry to a called pipe (caller-chosen.ts).
 * Runs after the pipes compile, on every valve whose config the schema accepted.
 */
import type { Indexed } from './config/cross-refs.js';
import type { PipeConfig, RpConfig, ValveEntry } from './config/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { ConfigPath } from './errors.js';
import type { Client } from './flow.js';
import { GRANT_TYPES, pipeIdOf } from './grants/index.js';
import type { DestNames, ValveDefinition } from './plugin-api.js';
import type { RegisteredValve, ValveRegistry } from './registry.js';
import { closest } from './config/suggest.js';
import { conditionReads, configReads, mergeKeys, stateReferences } from './valve-config-walk.js';
import { conditionKey } from './valve-condition.js';
import { pipeReach, stateAtCalls } from './pipe-calls.js';
import { callerChosenBefore, callerChosenOnEntry } from './caller-chosen.js';

export interface PipeWiringInput {
  readonly pipes: ReadonlyArray<Indexed<PipeConfig>>;
  readonly rps: ReadonlyArray<Indexed<RpConfig>>;
  readonly registry: ValveRegistry;
  readonly issuer: string;
}

interface CheckedValve {
  readonly entry: ValveEntry;
  readonly index: number;
  readonly path: ConfigPath;
  readonly definition: ValveDefinition<never>;
  /** The config schema as enforced, for the defaults it fills in. */
  readonly schema: Record<string, unknown>;
}

/** The public view of each RP, as valves see a client at request time. */
function clientsByPipe(rps: ReadonlyArray<Indexed<RpConfig>>): Map<string, Client[]> {
  const byPipe = new Map<string, Client[]>();
  for (const [rp] of rps) {
    const client: Client = {
      client_id: rp.client_id,
      token_endpoint_auth_method: rp.token_endpoint_auth_method,
      scopes: rp.scopes ?? [],
      audiences: rp.audiences ?? [],
      attributes: rp.attributes ?? {},
    };
    const pipeIds = new Set([...GRANT_TYPES.values()].map((grant) => pipeIdOf(rp, grant)));
    for (const id of pipeIds) {
      if (id === undefined) continue;
      // Appended in place: a copy per RP made this quadratic in the number of RPs.
      const list = byPipe.get(id);
      if (list) list.push(client);
      else byPipe.set(id, [client]);
    }
  }
  return byPipe;
}

/** A plugin's declaration, read defensively: a throwing or malformed one is a plugin error. */
function destNames(declared: DestNames<never> | undefined, config: unknown): string[] {
  const names = typeof declared === 'function' ? declared(config as never) : declared ?? [];
  if (!Array.isArray(names)) throw new TypeError('reads/writes must be a list of dest names');
  return names.filter((n): n is string => typeof n === 'string');
}

/**
 * Where to point for a dest a valve reads: the config key naming it, else the valve's name
 * (also when the value is the schema's default, which the YAML may not spell out).
 */
function readerPath(valve: CheckedValve, dest: string): ConfigPath {
  const key = Object.entries(valve.entry.config ?? {}).find(([, v]) => v === dest)?.[0];
  const properties = (valve.schema.properties ?? {}) as Record<string, { default?: unknown } | undefined>;
  if (key === undefined || properties[key]?.default === dest) return [...valve.path, 'name'];
  return [...valve.path, 'config', key];
}

function runValveCheck(valve: CheckedValve, pipe: PipeConfig, clients: readonly Client[], issuer: string, callerChosen: ReadonlySet<string>, registry: ValveRegistry, sink: DiagnosticSink): void {
  const { definition, entry, index, path } = valve;
  if (!definition.check) return;
  const enabledNames = (valves: readonly ValveEntry[]) => valves.filter((v) => v.enabled).map((v) => v.name);
  const valvesBefore = enabledNames(pipe.valves.slice(0, index));
  const configsBefore = pipe.valves.slice(0, index).filter((v) => v.enabled).map((v) => ({ name: v.name, config: v.config }));
  const valvesAfter = enabledNames(pipe.valves.slice(index + 1));
  // Without an authenticating valve the engine authenticates before the pipe runs.
  const authenticates = (name: string) => registry.get(name)?.definition.authenticatesClient === true;
  const clientAuthenticated = valvesBefore.some(authenticates) || !valvesAfter.some(authenticates);
  try {
    for (const problem of definition.check(entry.config as never, { pipeId: pipe.id, index, issuer, clients, valvesBefore, valvesAfter, clientAuthenticated, callerChosen, configsBefore })) {
      sink.add(problem.code ?? 'valve_config', problem.message, [...path, 'config', ...(problem.path ?? [])], {
        atKey: problem.atKey ?? false,
        severity: problem.severity ?? 'error',
      });
    }
  } catch (error) {
    sink.add('plugin', `valve '${entry.name}': check() failed: ${(error as Error).message}`, [...path, 'name']);
  }
}

function warnMergeKeys(valve: CheckedValve, sink: DiagnosticSink): void {
  for (const path of mergeKeys(valve.entry.config)) {
    sink.add('valve_config', "'<<' is a merge key only in YAML 1.1; here (YAML 1.2) it is a plain key, so nothing is merged: write the entries out",
      [...valve.path, 'config', ...path], { atKey: true, severity: 'warning' });
  }
}

/** `${state.X}` read where no enabled valve before has written X. */
function warnUnwrittenState(valve: CheckedValve, written: ReadonlySet<string>, known: readonly string[], sink: DiagnosticSink): void {
  const key = conditionKey(valve.entry);
  const refs = [
    ...stateReferences(configReads(valve.entry.config)).map((ref) => ({ ...ref, path: [...valve.path, 'config', ...ref.path] })),
    ...(key ? stateReferences(conditionReads(valve.entry[key]!)).map((ref) => ({ ...ref, path: [...valve.path, key] })) : []),
  ];
  for (const ref of refs) {
    if (written.has(ref.dest)) continue;
    if (known.includes(ref.dest)) {
      // Not a typo (a did-you-mean would offer the same name): the writer comes too late.
      sink.warn('unknown_reference',
        `'${ref.source}': '${ref.dest}' is written only by a valve after '${valve.entry.name}'; here it resolves to nothing: move the writer before it`,
        ref.path);
      continue;
    }
    const hint = closest(ref.dest, known);
    sink.warn('unknown_reference',
      `'${ref.source}': no enabled valve before '${valve.entry.name}' writes '${ref.dest}'${hint ? ` (did you mean '${hint}'?)` : ''}; it resolves to nothing${known.length ? `; written in this pipe: ${known.join(', ')}` : ''}`,
      ref.path);
  }
}

/** Every dest some enabled valve of the pipe declares it writes (for did-you-mean). */
function knownDests(valves: readonly CheckedValve[]): string[] {
  const names = new Set<string>();
  for (const { definition, entry } of valves) {
    if (!entry.enabled) continue;
    try {
      for (const dest of destNames(definition.writes, entry.config)) names.add(dest);
    } catch {
      // reported by checkDataFlow
    }
  }
  return [...names];
}

/** `seed`: what the pipe's callers have written when they call it (stateAtCalls). */
function checkDataFlow(valves: readonly CheckedValve[], calledWrites: (id: string) => Set<string>, seed: ReadonlySet<string>, sink: DiagnosticSink): void {
  const written = new Set<string>(seed);
  const known = [...new Set([...seed, ...knownDests(valves)])];
  let claimsReader: CheckedValve | undefined;
  for (const valve of valves) {
    const { definition, entry, path } = valve;
    if (!entry.enabled) continue;
    let reads: string[];
    let writes: string[];
    try {
      reads = destNames(definition.reads, entry.config);
      writes = destNames(definition.writes, entry.config);
      // What the pipes it calls write, it writes (pipe-calls.ts).
      for (const id of destNames(definition.calls, entry.config)) writes.push(...calledWrites(id));
    } catch (error) {
      sink.add('plugin', `valve '${entry.name}': ${(error as Error).message}`, [...path, 'name']);
      return; // what the rest of the pipe sees is unknown
    }
    for (const dest of reads.filter((d) => !written.has(d))) {
      sink.add('unknown_reference',
        `valve '${entry.name}' reads '${dest}', which no enabled valve before it writes (is the valve that issues it disabled, misspelt or later in the pipe?)`,
        readerPath(valve, dest));
    }
    if (definition.setsClaims && claimsReader) {
      sink.warn('valve_config',
        `valve '${entry.name}' sets claims after '${claimsReader.entry.name}' (valves[${claimsReader.index}]) has issued its token: they are not in it; move it before`,
        [...path, 'name']);
    }
    if (definition.readsClaims) claimsReader ??= valve;
    warnUnwrittenState(valve, written, known, sink);
    // A valve with exec_if may not run, yet what it writes counts as written: the check
    // judges the wiring of the pipe as written, not each path through it; a reader of a
    // conditional write sees undefined on the requests where the valve did not run.
    for (const dest of writes) written.add(dest);
  }
}

export function checkPipeWiring({ pipes, rps, registry, issuer }: PipeWiringInput, sink: DiagnosticSink): void {
  const clients = clientsByPipe(rps);
  const reach = pipeReach(pipes, registry);
  const calledWrites = (id: string) => reach(id).writes;
  const seedOf = stateAtCalls(pipes, registry, new Set(clients.keys()));
  const pipesById = new Map(pipes.map(([pipe]) => [pipe.id, pipe]));
  const onEntry = callerChosenOnEntry(pipes.map(([pipe]) => pipe), { pipesById, registry });
  for (const [pipe, p] of pipes) {
    const valves: CheckedValve[] = [];
    // A valve that is unknown or whose config is invalid is reported already; what it would
    // have written is unknown, so the data flow of its pipe is not judged.
    let complete = true;
    pipe.valves.forEach((entry, index) => {
      const registered: RegisteredValve | undefined = registry.get(entry.name);
      if (!registered || !registered.validate(entry.config)) {
        complete = false;
        return;
      }
      valves.push({ entry, index, path: ['pipes', p, 'valves', index], definition: registered.definition, schema: registered.schema });
    });
    const { before } = callerChosenBefore(pipe, ['pipes', p], { pipesById, registry, sink }, onEntry.get(pipe.id));
    for (const valve of valves) {
      runValveCheck(valve, pipe, clients.get(pipe.id) ?? [], issuer, before[valve.index]!, registry, sink);
      warnMergeKeys(valve, sink);
    }
    if (complete) checkDataFlow(valves, calledWrites, seedOf(pipe.id), sink);
  }
}
