/**
 * The valve registry. Built-in valves register through the same `register` a plugin's
 * valves go through, so the engine cannot tell them apart.
 */
import type { ValidateFunction } from 'ajv';
import { ConfigError } from './errors.js';
import { createAjv } from './config/schema.js';
import type { ValveDefinition } from './plugin-api.js';
import { describeThrown } from './plugins.js';

// Valve configs are checked with an ajv of their own: the definitions are the plugins'.
const ajv = createAjv();

const NAME = /^[A-Z][A-Za-z0-9]*$/;
export const BUILT_IN = 'built-in';

export interface RegisteredValve {
  readonly definition: ValveDefinition<never>;
  readonly validate: ValidateFunction;
  /** The config schema as enforced (typo-strict), which `sluice schema` prints. */
  readonly schema: Record<string, unknown>;
  /** 'built-in' or the plugin spec it came from. */
  readonly origin: string;
}

export class ValveRegistry {
  private readonly valves = new Map<string, RegisteredValve>();

  /** Throws ConfigError('plugin') for a malformed definition, a bad schema or a clash. */
  register(candidate: unknown, origin: string): void {
    const definition = candidate as ValveDefinition<never>;
    if (!definition || typeof definition !== 'object' || typeof definition.create !== 'function') {
      throw new ConfigError('plugin', `${origin}: a valve must be an object with a create() function (use defineValve)`);
    }
    if (typeof definition.name !== 'string' || !NAME.test(definition.name)) {
      throw new ConfigError('plugin', `${origin}: valve name ${JSON.stringify(definition.name)} must be PascalCase`);
    }
    const existing = this.valves.get(definition.name);
    if (existing) {
      throw new ConfigError('plugin', `${origin}: valve '${definition.name}' is already defined by ${existing.origin}`);
    }
    const schema = strictByDefault(definition.configSchema ?? { type: 'object', additionalProperties: false });
    // A plugin's schema is compiled now, so a bad one is reported at load. A built-in's
    // (known good: test/registry.test.ts compiles them all) waits until a pipe uses the
    // valve: compiling every valve's schema cost each start about 0.1 s, for a few used.
    let validate = origin === BUILT_IN ? undefined : compileSchema(schema, definition.name, origin);
    this.valves.set(definition.name, {
      definition: origin === BUILT_IN ? definition : attributed(definition, origin),
      get validate() {
        return (validate ??= compileSchema(schema, definition.name, origin));
      },
      schema,
      origin,
    });
  }

  get(name: string): RegisteredValve | undefined {
    return this.valves.get(name);
  }

  names(): string[] {
    return [...this.valves.keys()];
  }

  all(): RegisteredValve[] {
    return [...this.valves.values()];
  }
}

function compileSchema(schema: Record<string, unknown>, name: string, origin: string): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new ConfigError('plugin', `${origin}: valve '${name}' has an invalid configSchema: ${(error as Error).message}`);
  }
}

/**
 * A typo in a valve's config must not pass silently: an object schema that says nothing
 * about additional properties gets `additionalProperties: false`.
 */
function strictByDefault(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema.type === 'object' && schema.properties && !('additionalProperties' in schema) && !('patternProperties' in schema)) {
    return { ...schema, additionalProperties: false };
  }
  return schema;
}

/**
 * A plugin's definition whose code (create, check, and computed reads/writes) names the
 * plugin in what it throws: "valve 'X' failed to start: no directory (in plugin './x.js')"
 * tells the reader which file to open. A ConfigError is the plugin's own deliberate
 * message about its config, placed in the YAML, and passes as it is. The definition is the
 * prototype, so everything else (flags, getters, methods) reads through unchanged.
 */
function attributed(definition: ValveDefinition<never>, origin: string): ValveDefinition<never> {
  const rethrow = (error: unknown): never => {
    if (error instanceof ConfigError) throw error;
    throw new Error(`${describeThrown(error)} (in ${origin})`, { cause: error });
  };
  const wrap = <A extends unknown[], R>(fn: (...args: A) => R) => function (this: unknown, ...args: A): R {
    try {
      const out = fn.apply(this, args);
      return out instanceof Promise ? (out.catch(rethrow) as R) : out;
    } catch (error) {
      return rethrow(error);
    }
  };
  const wrapped: Record<string, unknown> = Object.create(definition) as Record<string, unknown>;
  for (const member of ['create', 'check', 'reads', 'writes'] as const) {
    const value: unknown = definition[member];
    if (typeof value === 'function') wrapped[member] = wrap(value as (...args: unknown[]) => unknown);
  }
  return wrapped as unknown as ValveDefinition<never>;
}
