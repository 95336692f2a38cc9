/**
 * Resolve the load-time expressions `${env.NAME}`, `${globals.path}` and `${file.PATH}`
 * once, before validation. Request-time expressions are left in place for the pipe
 * compiler, and are only allowed inside a valve's `config`.
 *
 * A resolved value is data: it is never parsed again. Outside valve configs the result is
 * the plain value. Inside a valve's config every string is template source (the pipe
 * compiler parses it once, per valve, when the valve compiles it), so the result is the
 * *spelling* of the resolved parts (formatTemplate): a value holding `${request.…}`, or
 * a literal written `$${…}`, reaches the compiler escaped and comes out as the same text.
 * Valve configs stay plain JSON on purpose: ajv validates them and plugins read them.
 */
import { resolve } from 'node:path';
import { ConfigError, type ConfigErrorCode, type ConfigPath } from '../errors.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { escapeTemplate, formatTemplate, hasTemplate, isLoadTimeRead, lookup, parseTemplate, stringify, type Expression, type TemplatePart } from '../template.js';
import { readFileValue } from './read-file.js';
import { CONDITION_KEYS } from '../valve-condition.js';

export interface LoadTimeContext {
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
  sink: DiagnosticSink;
  /** Told each `${file.…}` path before it is read (read or not): `serve --watch` watches them. */
  onFileRead?: (file: string) => void;
  /**
   * Copy every list and mapping, not only those holding a resolved value: data read with
   * YAML aliases holds one object in two places, and validation fills in each place's
   * defaults (two valves' configs must not share one object).
   */
  copyAll?: boolean;
}

/** pipes[i].valves[j].config…: the only place request-time expressions may appear. */
function isValveConfig(path: ConfigPath): boolean {
  return path[0] === 'pipes' && path[2] === 'valves' && path[4] === 'config';
}

export function resolveLoadTime(data: Record<string, unknown>, ctx: LoadTimeContext): Record<string, unknown> {
  const globals = walk(data.globals ?? {}, ['globals'], ctx, undefined);
  // fromEntries makes own properties: no key of the document can reach a prototype.
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, key === 'globals' ? globals : walk(value, [key], ctx, globals)]));
}

/** pipes[i].valves[j].exec_if: an expression, not a template; the pipe compiler reads it as written. */
function isCondition(path: ConfigPath): boolean {
  return path.length === 5 && path[0] === 'pipes' && path[2] === 'valves' && (CONDITION_KEYS as readonly unknown[]).includes(path[4]);
}

/**
 * `path` is one stack, pushed and popped on the way down (a new array per value cost a
 * second for 100,000 RPs); a string with a template gets its own copy. A list or mapping
 * with nothing to resolve inside is returned as it is, not copied, and nothing is
 * allocated on the way (no entries arrays, no closures): 100,000 RPs without a template
 * are neither held twice nor copied while loading. What holds a resolved value is a copy,
 * so the document as written (parse's `raw`) still shows the template.
 */
function walk(value: unknown, path: Array<string | number>, ctx: LoadTimeContext, globals: unknown): unknown {
  if (isCondition(path)) return value;
  if (typeof value === 'string') return hasTemplate(value) ? resolveString(value, [...path], ctx, globals) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let items: unknown[] | undefined = ctx.copyAll ? value.slice() : undefined;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const resolved = walk(value[i], path, ctx, globals);
      path.pop();
      if (resolved !== value[i]) (items ??= value.slice())[i] = resolved;
    }
    return items ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // The values as resolved, from the first key whose value changed (all of them under copyAll).
  let values: unknown[] | undefined = ctx.copyAll ? [] : undefined;
  for (let k = 0; k < keys.length; k++) {
    const child = record[keys[k]!];
    path.push(keys[k]!);
    const resolved = walk(child, path, ctx, globals);
    path.pop();
    if (resolved !== child && !values) values = keys.slice(0, k).map((key) => record[key]);
    values?.push(resolved);
  }
  // fromEntries makes own properties: no key of the document can reach a prototype.
  return values ? Object.fromEntries(keys.map((key, k) => [key, values[k]])) : value;
}

function resolveString(text: string, path: ConfigPath, ctx: LoadTimeContext, globals: unknown): unknown {
  let parts;
  try {
    parts = parseTemplate(text);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    ctx.sink.addError(error, path);
    ctx.sink.silence(path); // the pipe compiler would report the same text again
    return text;
  }
  const inValveConfig = isValveConfig(path);
  const [first] = parts;
  if (parts.length === 1 && first !== undefined && typeof first !== 'string' && isLoadTime(first)) {
    const value = evaluate(first, path, ctx, globals); // a whole `${…}` keeps its type
    return inValveConfig ? spellValue(value) : value;
  }
  const resolved: TemplatePart[] = parts.map((part) => {
    if (typeof part === 'string') return part;
    if (isLoadTime(part)) return stringify(evaluate(part, path, ctx, globals));
    if (!inValveConfig) ctx.sink.add('template', `'\${${part.source}}' is resolved per request and is only allowed in a valve's config; here use env, globals or file`, path);
    return part; // checked and compiled by the pipe compiler
  });
  return inValveConfig ? formatTemplate(resolved) : resolved.filter((p) => typeof p === 'string').join('');
}

/** A load-time value as valve-config template source: every string in it spelled literally. */
function spellValue(value: unknown): unknown {
  if (typeof value === 'string') return escapeTemplate(value);
  if (Array.isArray(value)) return value.map(spellValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, spellValue(v)]));
  return value;
}

/** Report once: the empty stand-in value must not be reported again by the schema. */
function fail(ctx: LoadTimeContext, code: ConfigErrorCode, message: string, path: ConfigPath): void {
  ctx.sink.add(code, message, path);
  ctx.sink.silence(path);
}

/** The parser lets a load-time namespace stand only alone, as a plain path. */
function isLoadTime(expr: Expression): boolean {
  return expr.plain !== undefined && isLoadTimeRead(expr.plain);
}

function evaluate(expr: Expression, path: ConfigPath, ctx: LoadTimeContext, globals: unknown): unknown {
  const { namespace, path: fields } = expr.plain!;
  const [first = ''] = fields;
  switch (namespace) {
    case 'env': {
      const value = fields.length === 1 ? ctx.env[first] : undefined;
      if (value === undefined) fail(ctx, 'missing_env', `environment variable '${fields.join('.')}' is not set`, path);
      return value ?? '';
    }
    case 'globals': {
      if (globals === undefined) {
        fail(ctx, 'template', `'\${${expr.source}}': globals cannot refer to globals`, path);
        return '';
      }
      const value = lookup(globals, fields);
      if (value === undefined) fail(ctx, 'unknown_reference', `'globals.${fields.join('.')}' is not defined`, path);
      return value ?? '';
    }
    default: {
      const file = resolve(ctx.baseDir, first);
      ctx.onFileRead?.(file);
      try {
        return readFileValue(file).trim();
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        fail(ctx, error.code, error.message, path);
        return '';
      }
    }
  }
}
