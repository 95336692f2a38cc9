/**
 * Compile a parsed expression to a closure, once, at load. The closure never throws and
 * reaches only data:
 *  - a member is an own, enumerable data property (no getter runs, no prototype is
 *    reached, so `constructor`, `__proto__` or `toString` read as undefined), and never a
 *    function; `.length` of a string or list is its length;
 *  - `==` and `!=` compare primitives as JavaScript does; an object only equals itself
 *    (JavaScript would convert it, running its methods);
 *  - `<`, `>`, `<=`, `>=` compare primitives as JavaScript does, and are false on objects;
 *  - startsWith/endsWith/includes on a string compare text (a non-string argument is
 *    converted as JavaScript converts a primitive); includes on a list is
 *    Array.prototype.includes; anything else is false;
 *  - `&&`, `||` and `!` are JavaScript's (`&&`/`||` give an operand, not a boolean).
 * Each node runs at most once per evaluation: the cost is bounded by the expression's size
 * (and the length of the strings and lists its methods look through).
 */
import type { BinaryOperator, ExpressionNode, Literal, MethodName } from './ast.js';

export type Evaluator<S> = (scope: S) => unknown;

/** How a root name reads from the scope; the checker has made sure every root has one. */
export type RootReader<S> = (name: string) => Evaluator<S>;

export function compileNode<S>(node: ExpressionNode, root: RootReader<S>): Evaluator<S> {
  switch (node.kind) {
    case 'literal': {
      const { value } = node;
      return () => value;
    }
    case 'root':
      return root(node.name);
    case 'member': {
      const object = compileNode(node.object, root);
      const { name } = node;
      return (scope) => member(object(scope), name);
    }
    case 'index': {
      const object = compileNode(node.object, root);
      const index = compileNode(node.index, root);
      return (scope) => {
        const target = object(scope);
        const key = propertyKey(index(scope));
        return key === undefined ? undefined : member(target, key);
      };
    }
    case 'call': {
      const object = compileNode(node.object, root);
      const argument = compileNode(node.args[0]!, root);
      const { method } = node;
      return (scope) => callMethod(method, object(scope), argument(scope));
    }
    case 'not': {
      const operand = compileNode(node.operand, root);
      return (scope) => !operand(scope);
    }
    case 'logical': {
      const left = compileNode(node.left, root);
      const right = compileNode(node.right, root);
      return node.op === '&&' ? (scope) => left(scope) && right(scope) : (scope) => left(scope) || right(scope);
    }
    case 'binary': {
      const left = compileNode(node.left, root);
      const right = compileNode(node.right, root);
      const compare = COMPARE[node.op];
      return (scope) => compare(left(scope), right(scope));
    }
  }
}

function isPrimitive(value: unknown): value is Literal | bigint {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/** Both operands primitive (no conversion can run code), else false. */
function primitives(test: (a: never, b: never) => boolean): (a: unknown, b: unknown) => boolean {
  return (a, b) => isPrimitive(a) && isPrimitive(b) && typeof a !== 'symbol' && typeof b !== 'symbol' && test(a as never, b as never);
}

/** Loose `==` is deliberate here: it is the operator being implemented, on primitives only. */
const COMPARE: Readonly<Record<BinaryOperator, (a: unknown, b: unknown) => boolean>> = {
  '===': (a, b) => a === b,
  '!==': (a, b) => a !== b,
  '==': (a, b) => (isPrimitive(a) && isPrimitive(b) ? a == b : a === b),
  '!=': (a, b) => (isPrimitive(a) && isPrimitive(b) ? a != b : a !== b),
  '<': primitives((a, b) => a < b),
  '>': primitives((a, b) => a > b),
  '<=': primitives((a, b) => a <= b),
  '>=': primitives((a, b) => a >= b),
};

/** A computed index as a property name, as JavaScript converts a primitive; objects name nothing. */
function propertyKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return undefined;
}

/** `target[key]`, sandboxed: own enumerable data only, never a function, never a throw. */
export function member(target: unknown, key: string): unknown {
  if (typeof target === 'string') {
    if (key === 'length') return target.length;
    return /^(0|[1-9]\d*)$/.test(key) ? target[Number(key)] : undefined;
  }
  if (target === null || typeof target !== 'object') return undefined;
  if (Array.isArray(target) && key === 'length') return target.length;
  let descriptor: PropertyDescriptor | undefined;
  try {
    descriptor = Object.getOwnPropertyDescriptor(target, key); // a Proxy's trap may throw
  } catch {
    return undefined;
  }
  if (!descriptor || !descriptor.enumerable || !('value' in descriptor)) return undefined;
  const value: unknown = descriptor.value;
  return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}

function callMethod(method: MethodName, target: unknown, argument: unknown): boolean {
  if (typeof target === 'string') {
    if (!isPrimitive(argument) || typeof argument === 'symbol') return false;
    const text = String(argument);
    return method === 'startsWith' ? target.startsWith(text) : method === 'endsWith' ? target.endsWith(text) : target.includes(text);
  }
  if (method === 'includes' && Array.isArray(target)) return target.includes(argument);
  return false;
}
