/**
 * JSON Schema validation with ajv, every error mapped back to its YAML node. The config
 * schema is built in base-schema.ts from the lists the code owns; valves bring their own
 * config schemas, validated in the same way and merged in by `sluice schema`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConfigPath } from '../errors.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { closest } from './suggest.js';
import { CONDITION_KEYS } from '../valve-condition.js';

/** Keys of a valve entry that PhenixID (FortifiedID's predecessor) wrote inside the valve's config. */
const ENTRY_KEYS: readonly string[] = [...CONDITION_KEYS, 'enabled'];


/**
 * Defaults are filled in (`default:`), as fastify does with its options. verbose: errors
 * carry their parentSchema, which "did you mean" needs. `coerceTypes` is for the base
 * schema only: `port: ${env.PORT}` is a string after substitution and "8080" must do;
 * valve configs stay strictly typed, so a wrong type there is an error.
 */
export function createAjv(options: { coerceTypes?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: options.coerceTypes ?? false, strict: false, allowUnionTypes: true, verbose: true });
  // Our schemas say in words what a pattern means; ajv need only know the keyword.
  ajv.addKeyword({ keyword: 'patternMessage', schemaType: 'string' });
  return ajv;
}

/**
 * Validate `data` in place (defaults filled); report each error at `base` + its path.
 * Returns the paths (relative to `data`) of the nodes that failed; empty when valid.
 */
export function validateWith(validate: ValidateFunction, data: unknown, sink: DiagnosticSink, base: ConfigPath = []): ConfigPath[] {
  if (validate(data)) return [];
  const errors = dedupe(validate.errors ?? []);
  for (const error of withoutMisspeltRequired(errors)) report(error, sink, base);
  return errors.map((e) => pointerToPath(e.instancePath));
}

function pointerToPath(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function report(error: ErrorObject, sink: DiagnosticSink, base: ConfigPath): void {
  const path = [...base, ...pointerToPath(error.instancePath)];
  const where = path.length ? `${String(path[path.length - 1])}: ` : '';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      if (ENTRY_KEYS.includes(key) && path.at(-1) === 'config') {
        sink.add('schema', `'${key}' belongs on the valve entry, beside 'config' (as FortifiedID writes it), not inside the valve's config`, [...path, key], { atKey: true });
        return;
      }
      const hint = closest(key, known);
      sink.add('schema', `unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : known.length ? `; expected one of ${known.join(', ')}` : ''}`, [...path, key], { atKey: true });
      return;
    }
    case 'required':
      sink.add('schema', `${where}missing required key '${String(params.missingProperty)}'`, path);
      return;
    case 'enum':
      sink.add('schema', `${where}must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, path);
      return;
    case 'type':
      sink.add('schema', `${where}must be ${[params.type].flat().join(' or ')}`, path);
      return;
    case 'pattern': {
      // Our schemas say in words what a pattern means (`patternMessage`); a bare regex is a last resort.
      const explained = (error.parentSchema as { patternMessage?: string } | undefined)?.patternMessage;
      sink.add('schema', `${where}${explained ?? `must match ${String(params.pattern)}`}`, path);
      return;
    }
    default:
      sink.add('schema', `${where}${error.message ?? 'is invalid'}`, path);
  }
}

/** The key an unknown key is closest to, as its did-you-mean names it. */
function misspeltOf(error: ErrorObject): string | undefined {
  if (error.keyword !== 'additionalProperties') return undefined;
  const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
  return closest(String((error.params as Record<string, unknown>).additionalProperty), known);
}

/**
 * One typo, one error: `claim:` for a required `claims:` is "unknown key 'claim' (did you
 * mean 'claims'?)"; the "missing required key 'claims'" beside it says nothing more.
 */
function withoutMisspeltRequired(errors: ErrorObject[]): ErrorObject[] {
  const misspelt = new Set(errors.map((e) => `${e.instancePath}|${misspeltOf(e) ?? ''}`));
  return errors.filter((e) => e.keyword !== 'required' || !misspelt.has(`${e.instancePath}|${String((e.params as Record<string, unknown>).missingProperty)}`));
}

/** ajv reports an `anyOf` failure and each branch's failure; keep the first per node. */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
