/**
 * The expression tree, and what a checker or a config walker needs from it: the
 * namespace-rooted paths it reads. Offsets are into the expression's source.
 */

export type Literal = string | number | boolean | null | undefined;

/** The only methods an expression may call (on strings; `includes` also on lists). */
export const METHODS = ['startsWith', 'endsWith', 'includes'] as const;
export type MethodName = (typeof METHODS)[number];

export type EqualityOperator = '==' | '!=' | '===' | '!==';
export type RelationalOperator = '<' | '>' | '<=' | '>=';
export type BinaryOperator = EqualityOperator | RelationalOperator;

export type ExpressionNode =
  | { readonly kind: 'literal'; readonly value: Literal; readonly start: number }
  /** A namespace: `client`, `request`, … (`env`, `globals`, `file` in load-time templates). */
  | { readonly kind: 'root'; readonly name: string; readonly start: number }
  /** `object.name`. */
  | { readonly kind: 'member'; readonly object: ExpressionNode; readonly name: string; readonly start: number }
  /** `object[index]`. */
  | { readonly kind: 'index'; readonly object: ExpressionNode; readonly index: ExpressionNode; readonly start: number }
  | { readonly kind: 'call'; readonly object: ExpressionNode; readonly method: MethodName; readonly args: readonly ExpressionNode[]; readonly start: number }
  | { readonly kind: 'not'; readonly operand: ExpressionNode; readonly start: number }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: ExpressionNode; readonly right: ExpressionNode; readonly start: number }
  | { readonly kind: 'logical'; readonly op: '&&' | '||'; readonly left: ExpressionNode; readonly right: ExpressionNode; readonly start: number };

/** A namespace and the constant path below it that an expression reads. */
export interface PathRead {
  readonly namespace: string;
  readonly path: readonly string[];
  /** Offset of the read in the expression's source. */
  readonly start: number;
}

/**
 * The namespace and constant path of `node`, when it is nothing but member and index
 * access with literal keys from a root (`a.b['c-d'][0]`); otherwise undefined.
 */
export function plainPath(node: ExpressionNode): PathRead | undefined {
  switch (node.kind) {
    case 'root':
      return { namespace: node.name, path: [], start: node.start };
    case 'member':
    case 'index': {
      const key = node.kind === 'member' ? node.name : literalKey(node.index);
      const base = key === undefined ? undefined : plainPath(node.object);
      return base && { ...base, path: [...base.path, key!] };
    }
    default:
      return undefined;
  }
}

/** A literal index as the property name it reads, as JS would convert it. */
function literalKey(node: ExpressionNode): string | undefined {
  if (node.kind !== 'literal') return undefined;
  return typeof node.value === 'string' || typeof node.value === 'number' ? String(node.value) : undefined;
}

/**
 * Every namespace-rooted path `node` reads, each as far as it is constant:
 * `request.params[client.client_id].x` reads `request.params` and `client.client_id`.
 */
export function pathsRead(node: ExpressionNode): PathRead[] {
  const plain = plainPath(node);
  if (plain) return [plain];
  switch (node.kind) {
    case 'literal':
    case 'root':
      return [];
    case 'member':
      return pathsRead(node.object);
    case 'index':
      return [...pathsRead(node.object), ...pathsRead(node.index)];
    case 'call':
      return [...pathsRead(node.object), ...node.args.flatMap(pathsRead)];
    case 'not':
      return pathsRead(node.operand);
    case 'binary':
    case 'logical':
      return [...pathsRead(node.left), ...pathsRead(node.right)];
  }
}

/** The nodes directly below `node`. */
export function childrenOf(node: ExpressionNode): readonly ExpressionNode[] {
  switch (node.kind) {
    case 'literal':
    case 'root':
      return [];
    case 'member':
      return [node.object];
    case 'index':
      return [node.object, node.index];
    case 'call':
      return [node.object, ...node.args];
    case 'not':
      return [node.operand];
    case 'binary':
    case 'logical':
      return [node.left, node.right];
  }
}
