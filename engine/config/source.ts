/**
 * A YAML config file with every node's source position kept, so that any problem found
 * later (schema, cross references, a valve's create()) can point at FILE:LINE:COL.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigErrorCode, ConfigPath } from '../errors.js';
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

export class ConfigSource {
  readonly file: string;
  readonly data: unknown;
  /**
   * Problems of the YAML itself (syntax, duplicate keys, aliases, `__proto__` keys); data
   * is unusable when non-empty.
   */
  readonly syntaxErrors: readonly YamlProblem[];
  private readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly text: string;
  /** Paths the loader rewrote (canonical → as written): see alias(). */
  private readonly aliases: Array<readonly [ConfigPath, ConfigPath]> = [];

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
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
  }

  /**
   * The position of the node at `path`, or of its deepest existing ancestor (a missing
   * required key points at the object that lacks it). `atKey` points at a map entry's key.
   * `offset` points that many characters into a string value, when the YAML spells the
   * string as it is (plain or quoted without escapes, on one line); else at its start.
   */
  locate(path: ConfigPath, atKey = false, offset?: number): Position {
    path = this.written(path);
    let node: unknown = this.doc.contents;
    let best: Position = node && (node as Node).range ? this.at((node as Node).range![0]) : { line: 1, col: 1 };
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return best;
        const key = pair.key as Node;
        const value = pair.value as Node | null;
        if (last && atKey && key.range) return this.at(key.range[0]);
        node = value;
        const range = value?.range ?? key.range;
        if (range) best = this.at(range[0]);
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) return best;
        node = item;
        if (item.range) best = this.at(item.range[0]);
      } else {
        return best;
      }
    }
    return offset === undefined ? best : this.inside(node, offset) ?? best;
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

  private inside(node: unknown, offset: number): Position | undefined {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
    const raw = this.text.slice(node.range[0], node.range[1]);
    const quote = node.type === 'QUOTE_SINGLE' ? "'" : node.type === 'QUOTE_DOUBLE' ? '"' : '';
    if (node.type !== 'PLAIN' && !quote) return undefined;
    if (raw !== quote + node.value + quote || /[\r\n]/.test(raw) || offset > node.value.length) return undefined;
    return this.at(node.range[0] + quote.length + offset);
  }

  private at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }
}
