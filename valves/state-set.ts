/**
 * StateSet: writes values (from templates) into flow.state for later valves, each under its
 * own name (`${state.NAME}`), or all together as one object under `dest`
 * (`${state.DEST.NAME}`). It declares what it writes, so `check` follows it like any dest.
 *
 * A value copied from the request is still the caller's choice: check warns here, and the
 * valve declares it (fillsFromCaller), so that CreateJwt and ClaimsSet refuse it as an
 * identity claim exactly as they refuse `${request.params.x}`. A copy of such a value is
 * the caller's too.
 */
import { defineValve, type ValveProblem } from '../engine/index.js';
import { callerChosen, flowPathsFromCaller } from './create-jwt-rules.js';

export interface StateSetConfig {
  values: Record<string, unknown>;
  dest?: string;
}

const NAME = '^[A-Za-z0-9_-]+$';

function callerValues(values: Record<string, unknown>, chosen: ReadonlySet<string>): ValveProblem[] {
  return Object.entries(values).flatMap(([name, value]) => callerChosen(value, ['values', name], chosen).map((path) => ({
    severity: 'warning' as const,
    path,
    message: `'${name}' holds what the caller sends: CreateJwt and ClaimsSet refuse it as a token's sub, aud, scope or client_id; other valves that read it cannot tell`,
  })));
}

/** Said here, at the key: the schema would point at the whole map. */
function badNames(values: Record<string, unknown>): ValveProblem[] {
  return Object.keys(values).filter((name) => !new RegExp(NAME).test(name)).map((name) => ({
    path: ['values', name], atKey: true, message: `'${name}' is not a state name (letters, digits, _ and -)`,
  }));
}

/** Defined, not assigned: a name such as __proto__ is a name, not a prototype swap. */
function put(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

export default defineValve<StateSetConfig>({
  name: 'StateSet',
  description: 'Write values (${…} templates) into the flow state for later valves, by name or as one object under dest.',
  writes: (config) => (config.dest === undefined ? Object.keys(config.values) : [config.dest]),
  fillsFromCaller: (config, chosen) => flowPathsFromCaller(config.values, config.dest === undefined ? 'state' : `state.${config.dest}`, chosen),
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['values'],
    properties: {
      values: {
        type: 'object',
        minProperties: 1,
        description: 'Name -> value; values may be ${…} templates.',
      },
      dest: { type: 'string', pattern: NAME, patternMessage: 'must be a name (letters, digits, _ and -)', description: 'Write the values as one object under this name (${state.DEST.NAME}).' },
    },
  },
  check: (config, context) => [...badNames(config.values), ...callerValues(config.values, context.callerChosen)],
  create(config, engine) {
    const values = engine.compileTemplate(config.values);
    return async function stateSet(flow, next) {
      // A copy: values without templates are the config's own objects, shared by every request.
      const resolved = structuredClone(values(flow));
      if (config.dest === undefined) for (const [name, value] of Object.entries(resolved)) put(flow.state, name, value);
      else put(flow.state, config.dest, resolved);
      await next();
    };
  },
});
