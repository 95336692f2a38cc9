/**
 * Expressions over a flow: parsed, checked against the namespaces and their fields
 * (engine/namespaces.ts, so `${…}` templates and `exec_if` know the same names), and
 * compiled to a closure, all at load.
 */
import { ConfigError, type ConfigErrorCode, type ConfigPath } from '../errors.js';
import type { Flow } from '../flow.js';
import { ITEMS_COUNTS, pathProblem, type RequestNamespace } from '../namespaces.js';
import { childrenOf, pathsRead, plainPath, type ExpressionNode, type PathRead } from './ast.js';
import { compileNode } from './evaluate.js';
import { parseExpression } from './parser.js';

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** How each namespace reads from a flow (`item` and `items[0]` are FortifiedID's names for `state`). */
const FLOW_ROOTS = {
  client: (flow) => flow.client,
  request: (flow) => requestView(flow),
  grant: (flow) => flow.grant,
  assertion: (flow) => flow.assertion?.claims,
  state: (flow) => flow.state,
  claims: (flow) => flow.claims,
  item: (flow) => flow.state,
  // engine/namespaces.ts: one item once a valve has written an output, none before.
  items: (flow) => (Object.keys(flow.state).length > 0 ? [flow.state] : NO_ITEMS),
  now: (_flow, now) => now(),
} as const satisfies Record<RequestNamespace, (flow: Flow, now: () => number) => unknown>;

/**
 * `request` as expressions see it (engine/namespaces.ts): `scope` is the granted scope as
 * RFC 6749 section 3.3 writes it, space-separated, or absent when nothing is granted yet (no
 * ScopeCheck ran); the caller's requested list is `requested_scope`.
 */
function requestView(flow: Flow): Readonly<Record<string, unknown>> {
  const granted = flow.grant.scope;
  return Object.assign({} as Record<string, unknown>, flow.request, { scope: granted.length ? granted.join(' ') : undefined, requested_scope: flow.request.scope });
}

/**
 * Why a read names nothing a flow can hold, or undefined. `.length` of a list or a value
 * (`request.scope.length`, `request.client_id.length`) is a read of that field.
 */
export function readProblem(read: PathRead): string | undefined {
  const problem = pathProblem(read.namespace, read.path);
  if (problem && read.path.at(-1) === 'length' && pathProblem(read.namespace, read.path.slice(0, -1)) === undefined) return undefined;
  return problem;
}

/** The first read of `ast` that names nothing a flow holds, with why; `skip` reads are not judged. */
export function firstBadRead(ast: ExpressionNode, skip: (read: PathRead) => boolean = () => false): { read: PathRead; problem: string } | undefined {
  for (const read of pathsRead(ast)) {
    if (skip(read)) continue;
    const problem = readProblem(read);
    if (problem) return { read, problem };
  }
  const textCall = scopeTextCall(ast);
  if (textCall) {
    return {
      read: textCall.read,
      problem: `'request.scope' is the granted scope as text, so ${textCall.method} tests part of it ('admin' is in 'orders.admin'): test a granted scope with grant.scope.includes('X') (a list), or a requested one with request.requested_scope.includes('X')`,
    };
  }
  return undefined;
}

/**
 * A method called on `request.scope`: the granted scope as space-separated text (FortifiedID's
 * meaning, engine/namespaces.ts), where it was the requested list before. A condition
 * `request.scope.includes('admin')`, exact membership on a list, would on text hold for a
 * granted `orders.admin` too, and run or skip a valve for a client never granted `admin`.
 */
function scopeTextCall(node: ExpressionNode): { read: PathRead; method: string } | undefined {
  if (node.kind === 'call') {
    const read = plainPath(node.object);
    if (read?.namespace === 'request' && read.path.length === 1 && read.path[0] === 'scope') return { read, method: node.method };
  }
  for (const child of childrenOf(node)) {
    const found = scopeTextCall(child);
    if (found) return found;
  }
  return undefined;
}

const COUNT_ALIASES: readonly string[] = ITEMS_COUNTS.filter((name) => name !== 'length');

/** Whether `object[name]` is FortifiedID's `items.len` / `items.size`, which read `items.length`. */
function isItemsCount(object: ExpressionNode, name: unknown): boolean {
  return object.kind === 'root' && object.name === 'items' && typeof name === 'string' && COUNT_ALIASES.includes(name);
}

/** `node` with `items.len`, `items.size` (and `items['len']`, …) read as `items.length`; done once, at load. */
function withItemsCounts(node: ExpressionNode): ExpressionNode {
  switch (node.kind) {
    case 'literal':
    case 'root':
      return node;
    case 'member': {
      const object = withItemsCounts(node.object);
      return { ...node, object, name: isItemsCount(object, node.name) ? 'length' : node.name };
    }
    case 'index': {
      const object = withItemsCounts(node.object);
      if (node.index.kind === 'literal' && isItemsCount(object, node.index.value)) return { kind: 'member', object, name: 'length', start: node.start };
      return { ...node, object, index: withItemsCounts(node.index) };
    }
    case 'call':
      return { ...node, object: withItemsCounts(node.object), args: node.args.map(withItemsCounts) };
    case 'not':
      return { ...node, operand: withItemsCounts(node.operand) };
    case 'binary':
      return { ...node, left: withItemsCounts(node.left), right: withItemsCounts(node.right) };
    case 'logical':
      return { ...node, left: withItemsCounts(node.left), right: withItemsCounts(node.right) };
  }
}

/** The closure of a checked tree; it never throws (a failure it did not foresee is undefined). */
export function compileChecked(ast: ExpressionNode, now: () => number, code: ConfigErrorCode = 'expression'): (flow: Flow) => unknown {
  const evaluate = compileNode<Flow>(withItemsCounts(ast), (name) => {
    if (!Object.hasOwn(FLOW_ROOTS, name)) throw new ConfigError(code, `unknown namespace '${name}'`, [], { offset: 0 });
    const read = FLOW_ROOTS[name as RequestNamespace];
    return (flow) => read(flow, now);
  });
  return function evaluateExpression(flow) {
    try {
      return evaluate(flow);
    } catch {
      return undefined;
    }
  };
}

/**
 * Parse, check and compile an expression over the flow (exec_if, a plugin's own config).
 * Throws ConfigError (code 'expression', at `path`, `offset` into source) on a syntax
 * error, an unknown namespace or field, or a call of anything but the allowed methods.
 */
export function compileExpression(source: string, now: () => number, path: ConfigPath = []): (flow: Flow) => unknown {
  let ast;
  try {
    ast = parseExpression(source);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.code, error.message, path, { offset: error.offset });
    throw error;
  }
  const bad = firstBadRead(ast);
  if (bad) throw new ConfigError('expression', bad.problem, path, { offset: bad.read.start });
  return compileChecked(ast, now);
}
