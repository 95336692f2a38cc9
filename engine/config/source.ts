/**
 * A YAML config file with every node's source position kept, so that any problem found
 * later (schema, cross references, a valve's create()) can point at FILE:LINE:COL.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigErrorCode, ConfigPath } from '../errors.js';
import { readPlainYaml, type PlainYamlOutline } from './plain-yaml.js';
import { findTreeProblems } from './yaml-guards.js';

export interface Position {
  line: number;
  col: number;
}

export interface YamlProblem {
  code: ConfigErrorCode;
  message: string;
  position: Position;
}

/**
 * In a flow collection (`[…]`, `{…}`) an unquoted `${…}` is YAML syntax: `$` then a flow
 * map, so `audiences: [${globals.api}]` fails with "Missing , or :". Say how to write it.
 */
function templateInFlowHint(line: string): string {
  if (!line.includes('${')) return '';
  const withoutTemplates = line.replace(/\$\{[^}]*\}?/g, '');
  return /[[{]/.test(withoutTemplates) ? '; hint: quote values that contain ${…} inside [ ] or { }' : '';
}

/** Where a path's walk starts: a node of a syntax tree whose offsets are `base` short of the file's. */
interface WalkStart {
  readonly node: unknown;
  readonly path: ConfigPath;
  readonly base: number;
  readonly text: string;
}

export class ConfigSource {
  readonly file: string;
  readonly data: unknown;
  /**
   * Problems of the YAML itself (syntax, duplicate keys, aliases, `__proto__` keys); data
   * is unusable when non-empty.
   */
  readonly syntaxErrors: readonly YamlProblem[];
  /** Whether data may hold one object in two places (YAML aliases): the plain reader never shares. */
  readonly mayShareObjects: boolean;
  /** The whole syntax tree, when `yaml` read the file; else the outline of plain-yaml.ts. */
  private readonly doc?: Document;
  private readonly outline?: PlainYamlOutline;
  private lineStarts?: number[];
  private readonly text: string;
  /** Paths the loader rewrote (canonical → as written): see alias(). */
  private readonly aliases: Array<readonly [ConfigPath, ConfigPath]> = [];

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    // Plain YAML (what a large config is) is read fast and without a tree; anything else,
    // errors included, by `yaml`.
    const plain = readPlainYaml(text);
    if (plain) {
      this.outline = plain.outline;
      this.syntaxErrors = [];
      this.data = plain.data;
      this.mayShareObjects = false;
      return;
    }
    const lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    this.lineStarts = lines.lineStarts;
    const sourceLines = text.split(/\r?\n/);
    const syntax = this.doc.errors.map((e): YamlProblem => {
      const position = this.at(e.pos[0]);
      const message = (e.message.split('\n')[0] ?? e.message) + templateInFlowHint(sourceLines[position.line - 1] ?? '');
      return { code: 'yaml_syntax', message, position };
    });
    const problems = syntax.length > 0 ? syntax : findTreeProblems(this.doc).map((p): YamlProblem => ({ code: p.code, message: p.message, position: this.at(p.offset) }));
    let data: unknown;
    if (problems.length === 0) {
      try {
        // Aliases are bounded by findTreeProblems, by expanded size; yaml's own count is off.
        data = this.doc.toJS({ maxAliasCount: -1 });
      } catch (error) {
        // Not expected after the checks above; still a diagnostic, never a crash of `check`.
        problems.push({ code: 'yaml_syntax', message: (error as Error).message, position: { line: 1, col: 1 } });
      }
    }
    this.syntaxErrors = problems;
    this.data = data;
    this.mayShareObjects = true;
  }

  /**
   * The position of the node at `path`, or of its deepest existing ancestor (a missing
   * required key points at the object that lacks it). `atKey` points at a map entry's key.
   * `offset` points that many characters into a string value, when the YAML spells the
   * string as it is (plain or quoted without escapes, on one line); else at its start.
   */
  locate(path: ConfigPath, atKey = false, offset?: number): Position {
    const start = this.walkStart(this.written(path));
    let { node, base } = start;
    const { text } = start;
    let best: Position = node && (node as Node).range ? this.at(base + (node as Node).range![0]) : { line: 1, col: 1 };
    for (const [i, segment] of start.path.entries()) {
      const last = i === start.path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return best;
        const key = pair.key as Node;
        const value = pair.value as Node | null;
        if (last && atKey && key.range) return this.at(base + key.range[0]);
        node = value;
        const range = value?.range ?? key.range;
        if (range) best = this.at(base + range[0]);
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) return best;
        node = item;
        if (item.range) best = this.at(base + item.range[0]);
      } else {
        return best;
      }
    }
    if (offset === undefined) return best;
    const inside = this.inside(node, offset, text);
    return inside === undefined ? best : this.at(base + inside);
  }

  /**
   * Where to walk `path` from. A plain-read file has no tree: the one top-level entry the
   * path enters is read again by `yaml` (only its item, in a top-level list), so the
   * positions are those `yaml` gives, at the cost of one small parse per diagnostic.
   */
  private walkStart(path: ConfigPath): WalkStart {
    if (this.doc) return { node: this.doc.contents, path, base: 0, text: this.text };
    const outline = this.outline!;
    const entry = outline.entries.get(String(path[0]));
    const starts = [...outline.entries.values()];
    if (path.length === 0 || entry === undefined) return this.sliceStart(starts[0] ?? 0, starts[1] ?? this.text.length, []);
    const end = starts.find((s) => s > entry) ?? this.text.length;
    const items = outline.items.get(String(path[0]));
    const index = path[1];
    if (items && typeof index === 'number' && index < items.length) {
      const itemStart = this.sliceStart(items[index]!, items[index + 1] ?? end, path.slice(2));
      return { ...itemStart, node: isSeq(itemStart.node) ? itemStart.node.items[0] : itemStart.node };
    }
    return this.sliceStart(entry, end, path);
  }

  private sliceStart(from: number, to: number, path: ConfigPath): WalkStart {
    const text = this.text.slice(from, to);
    return { node: parseDocument(text, { uniqueKeys: false }).contents, path, base: from, text };
  }

  /**
   * Say that what later checks call `canonical` is written at `written` (a FortifiedID
   * pipe's `config.valves` is read as its `valves`), so problems below it point there.
   */
  alias(canonical: ConfigPath, written: ConfigPath): void {
    this.aliases.push([canonical, written]);
  }

  private written(path: ConfigPath): ConfigPath {
    const found = this.aliases.find(([canonical]) => canonical.length <= path.length && canonical.every((s, i) => path[i] === s));
    return found ? [...found[1], ...path.slice(found[0].length)] : path;
  }

  /** The offset (in `text`) that `offset` characters into the string at `node` is, when the YAML spells it plainly. */
  private inside(node: unknown, offset: number, text: string): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
    const raw = text.slice(node.range[0], node.range[1]);
    const quote = node.type === 'QUOTE_SINGLE' ? "'" : node.type === 'QUOTE_DOUBLE' ? '"' : '';
    if (node.type !== 'PLAIN' && !quote) return undefined;
    if (raw !== quote + node.value + quote || /[\r\n]/.test(raw) || offset > node.value.length) return undefined;
    return node.range[0] + quote.length + offset;
  }

  /** Line and column (both from 1) of an offset in the file, as yaml's LineCounter gives them. */
  private at(offset: number): Position {
    this.lineStarts ??= lineStartsOf(this.text);
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (starts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    if (starts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 0, col: offset };
    return { line: low, col: offset - starts[low - 1]! + 1 };
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
