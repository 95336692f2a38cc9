/**
 * `${…}` expressions. Parsed once, at load; resolving one per request is a property walk.
 *
 *   load time:    ${env.NAME}  ${globals.a.b}  ${file.PATH}
 *   request time: ${client.…}  ${request.…}  ${grant.…}  ${state.…}  ${claims.…}  ${item.…}  ${now}
 *
 * A value that is exactly one `${…}` keeps its type; inside a longer string the value is
 * stringified (lists joined with spaces, as OAuth joins scopes).
 *
 * Escapes: `$${` is a literal `${`. In general a run of `$` that reaches a `{` stands for
 * half as many literal `$`, and an odd one left over opens an expression: `$$${x}` is a `$`
 * followed by the value of x. With that rule every text has a spelling (formatTemplate),
 * which the loader relies on to hand load-time values to the pipe compiler as plain text.
 */
import { ConfigError } from './errors.js';
import type { Flow } from './flow.js';
import { LOAD_TIME_NAMESPACES, pathProblem } from './namespaces.js';

export interface Expression {
  readonly source: string;
  readonly namespace: string;
  readonly path: readonly string[];
}
export type TemplatePart = string | Expression;

const SEGMENT = /^[A-Za-z0-9_\-:]+$/;

export function hasTemplate(text: string): boolean {
  return text.includes('${');
}

export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  for (let open = text.indexOf('${', i); open >= 0; open = text.indexOf('${', i)) {
    let first = open; // the first `$` of the run that reaches the `{`
    while (first > i && text[first - 1] === '$') first -= 1;
    const brace = open + 1;
    const dollars = brace - first;
    literal += text.slice(i, first) + '$'.repeat(Math.floor(dollars / 2));
    if (dollars % 2 === 0) {
      literal += '{';
      i = brace + 1;
      continue;
    }
    const end = text.indexOf('}', brace + 1);
    if (end < 0) throw new ConfigError('template', `unterminated '\${' in "${text}"`);
    if (literal) parts.push(literal);
    literal = '';
    parts.push(parseExpression(text.slice(brace + 1, end).trim()));
    i = end + 1;
  }
  literal += text.slice(i);
  if (literal || parts.length === 0) parts.push(literal);
  return parts;
}

function parseExpression(source: string): Expression {
  const dot = source.indexOf('.');
  const namespace = dot < 0 ? source : source.slice(0, dot);
  const rest = dot < 0 ? '' : source.slice(dot + 1);
  if (!namespace) throw new ConfigError('template', 'empty expression \'${}\'');
  // A file path is taken whole: it may hold dots and slashes.
  if (namespace === 'file') return { source, namespace, path: rest ? [rest] : [] };
  const path = rest ? rest.split('.') : [];
  for (const segment of path) {
    if (!SEGMENT.test(segment)) throw new ConfigError('template', `invalid name '${segment}' in '\${${source}}'`);
  }
  return { source, namespace, path };
}

/**
 * The spelling of `parts`: parseTemplate(formatTemplate(parts)) gives the same parts back
 * (adjacent literals joined). Literal text cannot open an expression, whatever it holds.
 */
export function formatTemplate(parts: readonly TemplatePart[]): string {
  let out = '';
  let literal = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      literal += part;
      continue;
    }
    out += escapeLiteral(literal, true) + `\${${part.source}}`;
    literal = '';
  }
  return out + escapeLiteral(literal, false);
}

/** Literal text as template source: `${x}` spells the text `${x}`, never an expression. */
export function escapeTemplate(text: string): string {
  return escapeLiteral(text, false);
}

/** Double each run of `$` that reaches a `{`, and the trailing run when an expression follows. */
function escapeLiteral(text: string, beforeExpression: boolean): string {
  return text.replace(beforeExpression ? /\$+(?=\{|$)/g : /\$+(?=\{)/g, (run) => run + run);
}

export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(stringify).join(' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Follow `path` into `root`; own enumerable data only, so no prototype is reachable. */
export function lookup(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Check the request-time expressions of a string: known namespaces, and known fields of
 * the fixed ones (client, request, grant, now). Throws ConfigError('template').
 */
export function checkRequestTemplate(text: string): void {
  for (const part of parseTemplate(text)) {
    if (typeof part === 'string') continue;
    if ((LOAD_TIME_NAMESPACES as readonly string[]).includes(part.namespace)) continue; // resolved earlier
    const problem = pathProblem(part.namespace, part.path);
    if (problem) throw new ConfigError('template', `'\${${part.source}}': ${problem}`);
  }
}

type Resolver = (flow: Flow) => unknown;

function compileExpression(expr: Expression, now: () => number): Resolver {
  const { path } = expr;
  switch (expr.namespace) {
    case 'now': return () => now();
    case 'client': return (flow) => lookup(flow.client, path);
    case 'request': return (flow) => lookup(flow.request, path);
    case 'grant': return (flow) => lookup(flow.grant, path);
    case 'claims': return (flow) => lookup(flow.claims, path);
    case 'assertion': return (flow) => lookup(flow.assertion?.claims, path);
    case 'state':
    case 'item': return (flow) => lookup(flow.state, path);
    default: throw new ConfigError('template', `unknown namespace '${expr.namespace}'`);
  }
}

/** How a template is compiled (see EngineServices.compileTemplate). */
export interface TemplateOptions {
  /**
   * Applied to each expression's text inside a longer string (never to the literal text
   * around it, nor to a value that is a whole `${…}`): `encodeURIComponent` keeps a
   * caller's value inside its URL path segment or query parameter.
   */
  readonly encode?: (text: string) => string;
}

function compileString(text: string, now: () => number, options: TemplateOptions): Resolver | string {
  if (!hasTemplate(text)) return text;
  const parts = parseTemplate(text);
  const [first] = parts;
  if (parts.length === 1 && first !== undefined && typeof first !== 'string') return compileExpression(first, now);
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  const encode = options.encode;
  const resolvers = parts.map((p): Resolver => {
    if (typeof p === 'string') return () => p;
    const resolve = compileExpression(p, now);
    return encode ? (flow) => encode(stringify(resolve(flow))) : resolve;
  });
  return (flow) => {
    let out = '';
    for (const resolve of resolvers) out += stringify(resolve(flow));
    return out;
  };
}

/** Compile any JSON value; constant parts are shared, only templated leaves resolve. */
export function compileValue<T>(value: T, now: () => number, options: TemplateOptions = {}): (flow: Flow) => T {
  const compiled = compileNode(value, now, options);
  return typeof compiled === 'function' ? (compiled as (flow: Flow) => T) : () => compiled as T;
}

function compileNode(value: unknown, now: () => number, options: TemplateOptions): unknown {
  if (typeof value === 'string') return compileString(value, now, options);
  if (Array.isArray(value)) {
    const items = value.map((v) => compileNode(v, now, options));
    if (!items.some((i) => typeof i === 'function')) return items;
    return (flow: Flow) => items.map((i) => (typeof i === 'function' ? (i as Resolver)(flow) : i));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileNode(v, now, options)] as const);
    if (!entries.some(([, v]) => typeof v === 'function')) return Object.fromEntries(entries);
    return (flow: Flow) => {
      // No prototype: a key named __proto__ is a claim like any other, not a prototype swap.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of entries) {
        const resolved = typeof v === 'function' ? (v as Resolver)(flow) : v;
        if (resolved !== undefined) out[k] = resolved;
      }
      return out;
    };
  }
  return value;
}
