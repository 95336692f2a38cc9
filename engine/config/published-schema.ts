/**
 * The config schema as editors see it (`sluice schema`, schemas/sluice.schema.json): the
 * base schema with every valve's config schema attached by name. It must accept what
 * `check` accepts and reject what it rejects, in any standard validator:
 *  - `patternMessage` (ours) is dropped, so ajv's strict mode and other tools accept it;
 *  - where `check` resolves `${env.…}`, `${globals.…}` or `${file.…}` before validating,
 *    the editor sees the expression itself, so such leaves also accept an expression:
 *    in the base settings any typed leaf (check converts "8080" for `port`), in a valve's
 *    config only constrained strings (valve configs are strictly typed).
 */
import type { JsonSchema } from '../plugin-api.js';
import type { RegisteredValve } from '../registry.js';
import { buildBaseSchema } from './base-schema.js';

const LOAD_TIME_EXPRESSION: JsonSchema = {
  type: 'string',
  pattern: '\\$\\{\\s*(env|globals|file)\\.[^}]+\\}',
  description: 'Resolved when the config loads: ${env.NAME}, ${globals.path} or ${file.PATH}.',
};

type Where = 'base' | 'valve';
const PRIMITIVES = new Set(['string', 'integer', 'number', 'boolean']);

function isConstrainedLeaf(node: JsonSchema, where: Where): boolean {
  if ('enum' in node || 'const' in node) return true;
  const types = [node.type].flat().filter((t): t is string => typeof t === 'string');
  if (types.length === 0 || !types.every((t) => PRIMITIVES.has(t))) return false;
  const constrainedString = types.includes('string') && ('pattern' in node || 'format' in node);
  return where === 'base' ? types.some((t) => t !== 'string') || constrainedString : constrainedString;
}

/** The keywords that apply to each JSON type (draft-07); the others apply to any. */
const KEYWORDS_OF: Record<string, readonly string[]> = {
  string: ['minLength', 'maxLength', 'pattern', 'format', 'patternMessage'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: ['items', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'additionalItems'],
  object: ['properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties'],
  boolean: [],
};
const TYPED_KEYWORDS = new Set(Object.values(KEYWORDS_OF).flat());

/**
 * `type: [number, string]` becomes one `anyOf` branch per type, each with the keywords
 * that apply to it: ajv's strict mode (and some editors) refuse union types.
 */
function splitUnionType(node: JsonSchema): JsonSchema {
  const types = node.type;
  if (!Array.isArray(types) || types.length < 2) return node;
  const shared: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) if (key !== 'type' && !TYPED_KEYWORDS.has(key)) shared[key] = value;
  const branches = types.map((type: string) => {
    const branch: JsonSchema = { type };
    for (const key of KEYWORDS_OF[type] ?? []) if (key in node) branch[key] = node[key];
    return branch;
  });
  return { ...shared, anyOf: branches };
}

/** A copy of `node` fit for editors (see the file comment). */
export function forEditors(node: unknown, where: Where): unknown {
  if (Array.isArray(node)) return node.map((n) => forEditors(n, where));
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray((node as JsonSchema).type)) return forEditors(splitUnionType(node as JsonSchema), where);
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'patternMessage') continue;
    // Values under these keys are data, not schemas.
    out[key] = key === 'enum' || key === 'const' || key === 'default' || key === 'examples' ? value : forEditors(value, where);
  }
  if (!isConstrainedLeaf(out, where)) return out;
  const { description, default: fallback, ...rest } = out;
  return {
    ...(description !== undefined ? { description } : {}),
    ...(fallback !== undefined ? { default: fallback } : {}),
    anyOf: [rest, LOAD_TIME_EXPRESSION],
  };
}

export function buildPublishedSchema(valves: Iterable<RegisteredValve>): JsonSchema {
  const schema = forEditors(buildBaseSchema(), 'base') as { definitions: Record<string, Record<string, unknown>> };
  const valve = schema.definitions.valve!;
  const list = [...valves];
  (valve.properties as Record<string, unknown>).name = {
    type: 'string',
    enum: list.map((v) => v.definition.name),
    description: 'A built-in valve, or one of the plugins this schema was printed with.',
  };
  valve.allOf = list.map((v) => ({
    if: { type: 'object', properties: { name: { const: v.definition.name } }, required: ['name'] },
    then: { properties: { config: { description: v.definition.description, ...(forEditors(v.schema, 'valve') as JsonSchema) } } },
  }));
  return schema as unknown as JsonSchema;
}
