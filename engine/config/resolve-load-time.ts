/**
 * Resolve the load-time expressions `${env.NAME}`, `${globals.path}` and `${file.PATH}`
 * once, before validation. Request-time expressions are left in place for the pipe
 * compiler, and are only allowed inside a valve's `config`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type ConfigErrorCode, type ConfigPath } from '../errors.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { escapeTemplate, hasTemplate, lookup, parseTemplate, stringify, type Expression } from '../template.js';

export interface LoadTimeContext {
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
  sink: DiagnosticSink;
}

/** pipes[i].valves[j].config…: the only place request-time expressions may appear. */
function isValveConfig(path: ConfigPath): boolean {
  return path[0] === 'pipes' && path[2] === 'valves' && path[4] === 'config';
}

export function resolveLoadTime(data: Record<string, unknown>, ctx: LoadTimeContext): Record<string, unknown> {
  const globals = walk(data.globals ?? {}, ['globals'], ctx, undefined);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] = key === 'globals' ? globals : walk(value, [key], ctx, globals);
  }
  return out;
}

function walk(value: unknown, path: ConfigPath, ctx: LoadTimeContext, globals: unknown): unknown {
  if (typeof value === 'string') return hasTemplate(value) ? resolveString(value, path, ctx, globals) : value;
  if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i], ctx, globals));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], ctx, globals)]));
  }
  return value;
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
  const keepForRequest = isValveConfig(path);
  const [first] = parts;
  if (parts.length === 1 && first !== undefined && typeof first !== 'string' && isLoadTime(first)) {
    return evaluate(first, path, ctx, globals); // a whole `${…}` keeps its type
  }
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += keepForRequest ? escapeTemplate(part) : part;
    } else if (isLoadTime(part)) {
      const text = stringify(evaluate(part, path, ctx, globals));
      out += keepForRequest ? escapeTemplate(text) : text;
    } else if (keepForRequest) {
      out += `\${${part.source}}`; // checked and compiled by the pipe compiler
    } else {
      ctx.sink.add('template', `'\${${part.source}}' is resolved per request and is only allowed in a valve's config; here use env, globals or file`, path);
    }
  }
  return out;
}

/** Report once: the empty stand-in value must not be reported again by the schema. */
function fail(ctx: LoadTimeContext, code: ConfigErrorCode, message: string, path: ConfigPath): void {
  ctx.sink.add(code, message, path);
  ctx.sink.silence(path);
}

function isLoadTime(expr: Expression): boolean {
  return expr.namespace === 'env' || expr.namespace === 'globals' || expr.namespace === 'file';
}

function evaluate(expr: Expression, path: ConfigPath, ctx: LoadTimeContext, globals: unknown): unknown {
  const [first = ''] = expr.path;
  switch (expr.namespace) {
    case 'env': {
      const value = expr.path.length === 1 ? ctx.env[first] : undefined;
      if (value === undefined) fail(ctx, 'missing_env', `environment variable '${expr.path.join('.')}' is not set`, path);
      return value ?? '';
    }
    case 'globals': {
      if (globals === undefined) {
        fail(ctx, 'template', `'\${${expr.source}}': globals cannot refer to globals`, path);
        return '';
      }
      const value = lookup(globals, expr.path);
      if (value === undefined) fail(ctx, 'unknown_reference', `'globals.${expr.path.join('.')}' is not defined`, path);
      return value ?? '';
    }
    default: {
      const file = resolve(ctx.baseDir, first);
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (error) {
        fail(ctx, 'file_unreadable', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, path);
        return '';
      }
    }
  }
}
