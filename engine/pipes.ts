/**
 * The pipe compiler: once, at load, each valve entry's config is validated against the
 * valve's own schema (defaults filled), its `${…}` expressions and its exec_if are checked,
 * and create() turns it into the per-request function. Problems point into the YAML.
 *
 * A valve with exec_if may not run, so it never counts as the pipe's authenticating or
 * verifying valve: the engine then authenticates the client before the pipe, whatever the
 * condition. (What it writes still counts for the wiring checks: see pipe-wiring.ts.)
 */
import { ConfigError, type ConfigPath } from './errors.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { PipeConfig, ValveEntry } from './config/types.js';
import type { EngineServices, Valve } from './plugin-api.js';
import type { ValveRegistry } from './registry.js';
import { compose, type NamedStep } from './runner.js';
import { describeThrown } from './plugins.js';
import { PIPE_HOOKS } from './flow-state.js';
import { validateWith } from './config/schema.js';
import { checkRequestTemplate, hasTemplate } from './template.js';
import { typeDirective } from './typed-expansion.js';
import type { Flow } from './flow.js';
import { compileExpression } from './expression/index.js';
import { valveAnswers } from './pipe-calls.js';
import { conditionKey, duplicateConditionKey } from './valve-condition.js';
import type { SluiceMetrics } from './metrics/metrics.js';

type Condition = (flow: Flow) => unknown;

export interface CompiledPipe {
  readonly id: string;
  /** Enabled valves, in order. */
  readonly valveNames: readonly string[];
  /** Whether an enabled valve authenticates the client; if not, the engine does first. */
  readonly authenticatesClient: boolean;
  /** Whether an enabled valve verifies the grant's token (VerifyAssertion). */
  readonly verifiesAssertion: boolean;
  /** Whether a valve that puts claims into a token (CreateJwt) runs before that verification. */
  readonly signsBeforeVerifying: boolean;
  readonly run: (flow: Flow) => Promise<void>;
}

/** What the pipes calling each other (PipeCall) say about this one. */
export interface PipeCallFacts {
  /** Another pipe calls it. */
  readonly called?: boolean;
  /** An enabled valve of it, or of a pipe it calls, answers. */
  readonly answers?: boolean;
}

function checkTemplates(value: unknown, path: ConfigPath, sink: DiagnosticSink): void {
  if (typeof value === 'string') {
    if (!hasTemplate(value) && !typeDirective(value)) return;
    try {
      checkRequestTemplate(value);
    } catch (error) {
      if (error instanceof ConfigError) sink.addError(error, path);
      else throw error;
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkTemplates(v, [...path, i], sink));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkTemplates(v, [...path, k], sink);
  }
}

/** The entry's exec_if compiled; undefined when it has none, false when it is wrong (reported). */
function compileCondition(entry: ValveEntry, path: ConfigPath, now: () => number, sink: DiagnosticSink): Condition | undefined | false {
  const key = conditionKey(entry);
  if (!key) return undefined;
  const second = duplicateConditionKey(entry);
  if (second) {
    sink.add('valve_config', `'${second}' repeats '${key}' (exec_if_expr is FortifiedID's spelling of exec_if): keep one`, [...path, second], { atKey: true });
    return false;
  }
  const source = entry[key];
  if (typeof source !== 'string') return false; // the schema says so
  try {
    return compileExpression(source, now);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    sink.addError(error, [...path, key]);
    return false;
  }
}

export async function compilePipe(
  pipe: PipeConfig,
  pipeIndex: number,
  registry: ValveRegistry,
  services: EngineServices,
  sink: DiagnosticSink,
  calls: PipeCallFacts = {},
  metrics?: SluiceMetrics,
): Promise<CompiledPipe | undefined> {
  const valves: Array<NamedStep<Flow>> = [];
  let authenticatesClient = false;
  let verifiesAssertion = false;
  let signsBeforeVerifying = false;
  let ok = true;
  // The definitions of the enabled valves (undefined for disabled or unknown ones).
  const enabled = pipe.valves.map((v) => (v.enabled ? registry.get(v.name)?.definition : undefined));
  const conditional = pipe.valves.map((v) => conditionKey(v) !== undefined);
  // Valves before the authenticating one run for strangers: only those that say they may.
  const authIndex = enabled.findIndex((d, i) => d?.authenticatesClient && !conditional[i]);
  enabled.slice(0, Math.max(authIndex, 0)).forEach((definition, index) => {
    const entry = pipe.valves[index]!;
    if (!definition || definition.runsBeforeAuthentication) return;
    ok = false;
    sink.add('valve_config', `valve '${entry.name}' would run before the client is authenticated; put '${pipe.valves[authIndex]!.name}' before it`, ['pipes', pipeIndex, 'valves', index, 'name']);
  });
  for (const [index, entry] of pipe.valves.entries()) {
    const path: ConfigPath = ['pipes', pipeIndex, 'valves', index];
    const condition = compileCondition(entry, path, services.now, sink);
    if (condition === false) ok = false;
    const registered = registry.get(entry.name);
    if (!registered) {
      ok = false; // reported by the cross-reference check
      continue;
    }
    const configPath = [...path, 'config'];
    if (validateWith(registered.validate, entry.config, sink, configPath).length > 0) {
      ok = false;
      continue;
    }
    checkTemplates(entry.config, configPath, sink);
    // Anything already wrong in this config (here or at load time) is told once, not again by create().
    if (sink.hasErrorsUnder(configPath)) {
      ok = false;
      continue;
    }
    // A disabled valve's config is still checked (a typo must not wait until it is
    // switched on), but it is not created: it may name resources that are not there yet.
    if (!entry.enabled || condition === false) continue;
    try {
      const config = Object.freeze(entry.config) as never;
      const run = await registered.definition.create(config, services, { pipeId: pipe.id, index });
      if (typeof run !== 'function') throw new ConfigError('plugin', `valve '${entry.name}': create() must return a function`);
      // A valve's own time, for sluice_valve_duration_seconds; not observed when its exec_if passes it over.
      const series = metrics?.valveSeries(pipe.id, entry.name);
      valves.push({ name: entry.name, run, ...(condition ? { when: condition } : {}), ...(series ? { observe: (seconds: number) => series.observe(seconds) } : {}) });
      authenticatesClient ||= !condition && registered.definition.authenticatesClient === true;
      signsBeforeVerifying ||= !verifiesAssertion && registered.definition.readsClaims === true;
      verifiesAssertion ||= !condition && registered.definition.verifiesAssertion === true;
    } catch (error) {
      ok = false;
      if (error instanceof ConfigError) sink.addError(error, error.code === 'plugin' ? path : configPath);
      else sink.add('valve_config', `valve '${entry.name}' failed to start: ${describeThrown(error)}`, path);
    }
  }
  // A pipe only other pipes call is a fragment: its callers answer (engine/pipe-calls.ts).
  // Without an answering valve of its own, a pipe answers when a pipe it calls does.
  const answering = enabled.map((d, i) => d !== undefined && valveAnswers(d, pipe.valves[i]!.config));
  const ownAnswer = answering.indexOf(true);
  if (ok && !calls.called && ownAnswer < 0 && !calls.answers) {
    sink.warn('valve_config', `pipe '${pipe.id}' has no valve that answers (such as TokenResponse): its requests end in server_error`, ['pipes', pipeIndex, 'id']);
  } else if (ok && !calls.called && ownAnswer >= 0 && !answering.some((answers, i) => answers && !conditional[i])) {
    const entry = pipe.valves[ownAnswer]!;
    sink.warn('valve_config', `'${entry.name}' is the only valve that answers and it has a condition: requests for which it does not hold end in server_error`, ['pipes', pipeIndex, 'valves', ownAnswer, conditionKey(entry)!]);
  }
  if (!ok) return undefined;
  return { id: pipe.id, valveNames: valves.map((v) => v.name), authenticatesClient, verifiesAssertion, signsBeforeVerifying, run: compose(valves, PIPE_HOOKS) };
}
