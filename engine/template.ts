/**
 * `${…}` expressions. Parsed once, at load; resolving one per request is a property walk.
 *
 *   load time:    ${env.NAME}  ${globals.a.b}  ${file.PATH}
 *   request time: ${client.…}  ${request.…}  ${grant.…}  ${state.…}  ${claims.…}  ${item.…}  ${items[0].…}  ${now}
 *
 * A value that is exactly one `${…}` keeps its type; inside a longer string the value is
 * stringified (lists joined with spaces, as OAuth joins scopes).
 *
 * A body is an expression of the one expression language (engine/expression/, the same as
 * exec_if): `${request.params.region || 'eu'}`, `${client.attributes['x-y']}`. Load-time
 * ones are plain paths and stand alone.
 *
 * Escapes: `$${` is a literal `${`. In general a run of `$` that reaches a `{` stands for
 * half as many literal `$`, and an odd one left over opens an expression: `$$${x}` is a `$`
 * followed by the value of x. With that rule every text has a spelling (formatTemplate),
 * which the loader relies on to hand load-time values to the pipe compiler as plain text.
 */
import { ConfigError } from './errors.js';
import type { Flow } from './flow.js';
import { LOAD_TIME_NAMESPACES } from './namespaces.js';
import { converterFor, convertConstant, typeDirective } from './typed-expansion.js';
import { compileChecked, findClosingBrace, firstBadRead, parseExpression, pathsRead, plainPath, type ExpressionNode, type PathRead } from './expression/index.js';

/** One `${…}`: its body, parsed by the expression language (engine/expression/). */
export interface Expression {
  /** The body as written, trimmed: `${source}` spells it again. */
  readonly source: string;
  readonly ast: ExpressionNode;
  /** Every namespace-rooted path it reads (for checks and config walkers). */
  readonly reads: readonly PathRead[];
  /** The path, when the body is nothing but one (`client.attributes.x`, `a['b'][0]`). */
  readonly plain: PathRead | undefined;
}
export type TemplatePart = string | Expression;

/** A part and where it starts in the template's text (its body, for an expression). */
interface ScannedPart {
  readonly part: TemplatePart;
  readonly offset: number;
}

export function hasTemplate(text: string): boolean {
  return text.includes('${');
}

export function parseTemplate(text: string): TemplatePart[] {
  return scanTemplate(text).map((p) => p.part);
}

/**
 * Split a template into literal text and expressions. The closing `}` is found by the
 * expression lexer, so a `}` inside a quoted string (`${request.params['a}b']}`) is text.
 */
function scanTemplate(text: string): ScannedPart[] {
  const parts: ScannedPart[] = [];
  let literal = '';
  let literalStart = 0;
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
    const bodyStart = brace + 1;
    const end = closingBrace(text, bodyStart);
    if (literal) parts.push({ part: literal, offset: literalStart });
    literal = '';
    const body = text.slice(bodyStart, end);
    const offset = bodyStart + body.length - body.trimStart().length;
    parts.push({ part: parseBody(body.trim(), offset, open), offset });
    i = end + 1;
    literalStart = i;
  }
  literal += text.slice(i);
  if (literal || parts.length === 0) parts.push({ part: literal, offset: literalStart });
  return parts;
}

/** A file path is taken whole (it may hold any character but `}`); anything else is lexed. */
function closingBrace(text: string, bodyStart: number): number {
  if (/^\s*file\./.test(text.slice(bodyStart, bodyStart + 64))) {
    const end = text.indexOf('}', bodyStart);
    if (end < 0) throw new ConfigError('template', "unterminated '${': no closing '}'", [], { offset: bodyStart - 2 });
    return end;
  }
  return findClosingBrace(text, bodyStart, 'template');
}

function parseBody(source: string, offset: number, open: number): Expression {
  if (!source) throw new ConfigError('template', "empty expression '${}'", [], { offset: open });
  if (source.startsWith('file.')) {
    const ast: ExpressionNode = { kind: 'member', object: { kind: 'root', name: 'file', start: 0 }, name: source.slice('file.'.length), start: 5 };
    return expression(source, ast);
  }
  let ast;
  try {
    ast = parseExpression(source, { code: 'template' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError('template', `'\${${source}}': ${error.message}`, [], { offset: offset + (error.offset ?? 0) });
  }
  const parsed = expression(source, ast);
  // Load-time values are substituted whole, before any request: they cannot mix with anything.
  const loadTime = parsed.reads.find(isLoadTimeRead);
  if (loadTime && parsed.plain === undefined) {
    throw new ConfigError('template', `'\${${source}}': '${loadTime.namespace}' is read at load time, so '\${${loadTime.namespace}.…}' must stand alone, as a plain path`, [], { offset: offset + loadTime.start });
  }
  return parsed;
}

function expression(source: string, ast: ExpressionNode): Expression {
  return { source, ast, reads: pathsRead(ast), plain: plainPath(ast) };
}

export function isLoadTimeRead(read: PathRead): boolean {
  return (LOAD_TIME_NAMESPACES as readonly string[]).includes(read.namespace);
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
 * the fixed ones (client, request, grant, now), wherever a path stands in an expression.
 * Throws ConfigError('template') with the offset of the bad path in `text`, and for a
 * typed constant (`@int:ninety`, engine/typed-expansion.ts) that cannot be converted.
 */
export function checkRequestTemplate(text: string): void {
  const directive = typeDirective(text);
  const shift = directive?.offset ?? 0;
  const body = directive?.rest ?? text;
  if (directive && !hasTemplate(body)) convertConstant(directive);
  for (const { part, offset: at } of scanTemplate(body)) {
    const offset = at + shift;
    if (typeof part === 'string') continue;
    const bad = firstBadRead(part.ast, isLoadTimeRead); // load-time ones are resolved earlier
    if (bad) throw new ConfigError('template', `'\${${part.source}}': ${bad.problem}`, [], { offset: offset + bad.read.start });
  }
}

type Resolver = (flow: Flow) => unknown;

function compileExpression(expr: Expression, now: () => number): Resolver {
  return compileChecked(expr.ast, now, 'template');
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

/**
 * A string value. A FortifiedID type directive (`@int:${x}`, `@int:99`, engine/typed-expansion.ts)
 * is taken off first; the rest compiles as any value and its result is converted.
 */
function compileString(text: string, now: () => number, options: TemplateOptions): Resolver | unknown {
  const directive = typeDirective(text);
  if (!directive) return compileUntyped(text, now, options);
  let compiled: Resolver | string;
  try {
    compiled = compileUntyped(directive.rest, now, options);
  } catch (error) {
    // Offsets point into the rest; the value as written starts with the directive.
    if (error instanceof ConfigError && error.offset !== undefined) throw new ConfigError(error.code, error.message, error.path, { offset: error.offset + directive.offset });
    throw error;
  }
  if (typeof compiled === 'string') return convertConstant({ ...directive, rest: compiled });
  const convert = converterFor(directive, parseTemplate(directive.rest).flatMap((p) => (typeof p === 'string' ? [] : p.reads)));
  return (flow: Flow) => convert(compiled(flow));
}

function compileUntyped(text: string, now: () => number, options: TemplateOptions): Resolver | string {
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

/**
 * Compile any JSON value; constant parts are shared, only templated leaves resolve. A value
 * with nothing to resolve per request also carries it as `constant`.
 */
export function compileValue<T>(value: T, now: () => number, options: TemplateOptions = {}): ((flow: Flow) => T) & { readonly constant?: T } {
  const compiled = compileNode(value, now, options);
  if (typeof compiled === 'function') return compiled as (flow: Flow) => T;
  return Object.assign(() => compiled as T, { constant: compiled as T });
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
