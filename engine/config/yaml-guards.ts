/**
 * Problems of a parsed YAML document that would make its data unsafe or unusable, found on
 * the syntax tree before any value is built (toJS), each at its node:
 *  - an alias with no anchor before it, or inside the node it names (a cycle);
 *  - aliases that expand beyond MAX_ALIAS_EXPANSION values or MAX_ALIAS_EXPANSION_BYTES of
 *    text ("billion laughs"; one 1 MiB string aliased 3000 times is few values but 3 GB that
 *    every use of the config walks). yaml's own guard (maxAliasCount) counts uses of each
 *    anchor, which refuses a config that names one URL 150 times and throws without a
 *    position; the size is what matters;
 *  - a `__proto__` key: copied into a plain object it replaces the object's prototype
 *    (`constructor` and `prototype` are plain data in the own-property walks of the loader).
 */
import { isAlias, isCollection, isPair, isScalar, visit, type Alias, type Document, type Node } from 'yaml';
import type { ConfigErrorCode } from '../errors.js';

/** Values that aliases may add to a document; real configs stay far below. */
export const MAX_ALIAS_EXPANSION = 100_000;
/** Bytes of scalar text that aliases may add to a document. */
export const MAX_ALIAS_EXPANSION_BYTES = 4 * 1024 * 1024;

export interface TreeProblem {
  code: ConfigErrorCode;
  message: string;
  /** Offset in the source text. */
  offset: number;
}

export function findTreeProblems(doc: Document): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const start = (node: Node | null | undefined) => node?.range?.[0] ?? 0;
  // Document order: an alias names the last anchor of that name before it (YAML 1.2 section 7.1).
  visit(doc, {
    Pair: (_key, pair) => {
      const key = isAlias(pair.key) ? anchors.get(pair.key.source) : pair.key;
      if (isScalar(key) && String(key.value) === '__proto__') {
        problems.push({ code: 'schema', message: "key '__proto__' is not allowed: it would replace the prototype of the object that holds it", offset: start(pair.key as Node) });
      }
    },
    Node: (_key, node) => {
      if (node.anchor) anchors.set(node.anchor, node);
      if (!isAlias(node)) return;
      const target = anchors.get(node.source);
      if (!target) {
        problems.push({ code: 'yaml_syntax', message: `alias *${node.source} has no anchor &${node.source} before it`, offset: start(node) });
      } else if (target.range && start(node) >= target.range[0] && start(node) < target.range[2]) {
        problems.push({ code: 'yaml_syntax', message: `alias *${node.source} refers to a node that contains it`, offset: start(node) });
      } else {
        targets.set(node, target);
      }
    },
  });
  if (problems.length > 0) return problems; // sizes are only defined on a sound tree
  const expansion = tooLargeExpansion(doc, targets);
  return expansion ? [expansion] : [];
}

interface Size {
  /** Values (scalars and collections). */
  readonly values: number;
  /** UTF-8 bytes of scalar text. */
  readonly bytes: number;
}

const capped = (n: number) => Math.min(n, Number.MAX_SAFE_INTEGER);
const add = (a: Size, b: Size): Size => ({ values: capped(a.values + b.values), bytes: capped(a.bytes + b.bytes) });

/** The first alias at which what aliases add passes a limit, if one does. */
function tooLargeExpansion(doc: Document, targets: ReadonlyMap<Alias, Node>): TreeProblem | undefined {
  const sizes = new Map<Node, Size>();
  // What a node stands for, aliases expanded; memoized, so linear.
  const size = (node: unknown): Size => {
    if (isAlias(node)) return size(targets.get(node));
    if (isPair(node)) return add(size(node.key), size(node.value));
    if (isScalar(node)) return { values: 1, bytes: Buffer.byteLength(String(node.value ?? '')) };
    if (!isCollection(node)) return { values: 1, bytes: 0 };
    let n = sizes.get(node);
    if (n === undefined) {
      n = { values: 1, bytes: 0 };
      for (const item of node.items) n = add(n, size(item));
      sizes.set(node, n);
    }
    return n;
  };
  let added: Size = { values: 0, bytes: 0 };
  let problem: TreeProblem | undefined;
  visit(doc, {
    Alias: (_key, alias) => {
      added = add(added, size(alias));
      const limit = added.values > MAX_ALIAS_EXPANSION ? `${MAX_ALIAS_EXPANSION} values`
        : added.bytes > MAX_ALIAS_EXPANSION_BYTES ? `${MAX_ALIAS_EXPANSION_BYTES / (1024 * 1024)} MiB of text` : undefined;
      if (limit === undefined) return undefined;
      problem = {
        code: 'yaml_syntax',
        message: `aliases expand this document beyond ${limit} (at *${alias.source}); write the repeated parts out or share less`,
        offset: alias.range?.[0] ?? 0,
      };
      return visit.BREAK;
    },
  });
  return problem;
}
