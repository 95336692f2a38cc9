/**
 * A fast reader for the plain YAML that large configs are written in (100,000 RPs is a
 * 40 MB file): block mappings and sequences, one-line flow collections, plain and quoted
 * one-line scalars, comments. The `yaml` library reads such a file at a few MB/s and keeps
 * a syntax tree of every node (gigabytes); this reads it at the speed of a string scan.
 *
 * It gives the same data as `yaml` (plain scalars are typed by yaml's own core-schema
 * tags) or nothing: anything outside that subset (anchors, tags, block scalars, escapes,
 * multi-line scalars or flow collections, tabs, duplicate or non-string keys, `__proto__`,
 * `<<`, a document marker) returns undefined, and ConfigSource reads the file with `yaml`,
 * which also reports every syntax problem. It keeps only the offsets of the top-level
 * entries and of the items of top-level lists, so a diagnostic can re-read its one item.
 */
import { isScalar, Schema } from 'yaml';

/** The top-level keys, each with where its entry and (for a block list) each item starts. */
export interface PlainYamlOutline {
  /** key → offset of the line the key is on; entries end where the next one starts. */
  readonly entries: ReadonlyMap<string, number>;
  /** key → offset of the line of each `- ` item of a top-level block list. */
  readonly items: ReadonlyMap<string, readonly number[]>;
}

export interface PlainYaml {
  readonly data: Record<string, unknown>;
  readonly outline: PlainYamlOutline;
}

/** Thrown inside the reader when the text leaves the subset; never escapes it. */
class NotPlain extends Error {}
const notPlain = (): never => {
  throw new NotPlain();
};

interface ScalarTag {
  readonly test: RegExp;
  resolve(text: string, onError: (message: string) => void, options: object): unknown;
}
const CORE_TAGS = new Schema({}).tags.filter((tag) => tag.default === true && tag.test) as unknown as ScalarTag[];
/** A plain scalar starting with none of these is a string under the core schema. */
const MAYBE_TYPED = /^[-+.0-9~nNtTfF]/;
/** Characters that may not start a plain scalar (YAML 1.2 section 7.3.3), or that start what this reader leaves to `yaml`. */
const NOT_PLAIN_START = /^(?:[,[\]{}#&*!|>'"%@`\t]|[-?:](?:[ \t]|$))/;

/** Inside `[ ]` or `{ }`, `-`, `?` and `:` before a flow indicator are indicators too (`[x, -]` is an error to `yaml`). */
const NOT_FLOW_PLAIN_START = /^(?:[,[\]{}#&*!|>'"%@`\t]|[-?:](?:[ \t,[\]{}]|$))/;

/**
 * `text` without its trailing spaces. Not trimEnd(): YAML's white space is the space and
 * the tab only (YAML 1.2 section 5.5), so a no-break space, a line separator or a BOM at
 * the end of a scalar is part of it, as `yaml` reads it (tabs never reach here).
 */
function trimSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** String values up to this long are kept once each (see Reader.kept). */
const SHARED_MAX_LENGTH = 40;

/**
 * A list as long as its items: one grown by push() keeps room for more (16 slots and up),
 * which 100,000 RPs' short lists of scopes and audiences would hold for the config's life.
 */
const exact = <T>(list: T[]): T[] => list.slice();

/** A `\r` not followed by `\n` (indexOf, not a regex: a 40 MB file is scanned at memchr speed). */
function hasLoneCarriageReturn(text: string): boolean {
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) return true;
  return false;
}

function typed(text: string): unknown {
  if (!MAYBE_TYPED.test(text)) return text;
  const tag = CORE_TAGS.find((t) => t.test.test(text));
  if (!tag) return text;
  const value = tag.resolve(text, notPlain, {});
  return isScalar(value) ? value.value : value; // a float comes wrapped (its written precision), as yaml's composer unwraps it

}

export function readPlainYaml(text: string): PlainYaml | undefined {
  try {
    return new Reader(text).document();
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

class Reader {
  /** Significant lines (not blank, not only a comment): start offset, indent, end (before `\r`). */
  private readonly starts: number[] = [];
  private readonly indents: number[] = [];
  private readonly ends: number[] = [];
  private line = 0;
  /** The string values of middle length read so far: see kept(). */
  private readonly values = new Map<string, string>();
  /**
   * The last plain key read of each length and first character, as written before its
   * `:`, and its name: 100,000 RPs repeat a few keys, and one that reads the same text as
   * before is the same key, without slicing and checking it again.
   */
  private readonly keys = new Map<number, { readonly written: string; readonly name: string }>();
  /** The same for plain scalars in flow collections (`[orders.read, …]`, `{ tenant: t7 }`): their typed values. */
  private readonly flowScalars = new Map<number, { readonly written: string; readonly value: unknown }>();

  constructor(private readonly text: string) {
    // A BOM, or a carriage return that does not end a line: left to `yaml`.
    if (text.charCodeAt(0) === 0xfeff || hasLoneCarriageReturn(text)) notPlain();
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const next = end + 1;
      if (text.charCodeAt(end - 1) === 13) end--;
      let p = start;
      while (p < end && text.charCodeAt(p) === 32) p++;
      const c = text[p];
      if (c === '\t' || c === '\r') notPlain();
      if (p < end && c !== '#') {
        if (text.startsWith('---', start) || text.startsWith('...', start) || (c === '%' && p === start)) notPlain();
        this.starts.push(start);
        this.indents.push(p - start);
        this.ends.push(end);
      }
      start = next;
    }
  }

  document(): PlainYaml {
    if (this.starts.length === 0 || this.indents[0] !== 0) notPlain();
    const entries = new Map<string, number>();
    const items = new Map<string, number[]>();
    const data = this.mapping(0, this.col(0), (key, line) => {
      entries.set(key, this.starts[line]!);
      return (value, itemLines) => {
        if (itemLines) items.set(key, itemLines.map((l) => this.starts[l]!));
        return value;
      };
    });
    if (this.line < this.starts.length) notPlain();
    return { data, outline: { entries, items } };
  }

  private col(line: number): number {
    return this.starts[line]! + this.indents[line]!;
  }

  /**
   * A block mapping whose keys stand at `indent`; the first key may be at `firstCol` on the
   * current line (after a sequence's `- `). `onTop` records the top-level outline.
   */
  private mapping(indent: number, firstCol: number, onTop?: (key: string, line: number) => (value: unknown, items?: number[]) => unknown): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let p = firstCol;
    for (;;) {
      const line = this.line;
      const end = this.ends[line]!;
      const key = this.key(p, end);
      if (!key) notPlain();
      const [name, valueStart] = key!;
      if (name === '__proto__' || name === '<<' || Object.hasOwn(map, name)) notPlain();
      const top = onTop?.(name, line);
      const v = this.skipSpaces(valueStart, end);
      let value: unknown;
      let itemLines: number[] | undefined;
      if (v === end || this.text[v] === '#') {
        this.line++;
        const next = this.line < this.starts.length ? this.indents[this.line]! : -1;
        if (next > indent || (next === indent && this.isItem(this.line))) {
          if (this.isItem(this.line)) {
            itemLines = [];
            value = this.sequence(next, itemLines);
          } else value = this.mapping(next, this.col(this.line));
        } else value = null;
      } else {
        value = this.inline(v, end);
        this.line++;
      }
      map[name] = top ? top(value, itemLines) : value;
      if (this.line >= this.starts.length) return map;
      const nextIndent = this.indents[this.line]!;
      if (nextIndent < indent) return map;
      if (nextIndent > indent || this.isItem(this.line)) notPlain();
      p = this.col(this.line);
    }
  }

  private isItem(line: number): boolean {
    const p = this.col(line);
    return this.text[p] === '-' && (p + 1 === this.ends[line] || this.text[p + 1] === ' ');
  }

  /** A block sequence whose `- ` stand at `indent`; `itemLines` collects each item's line. */
  private sequence(indent: number, itemLines?: number[]): unknown[] {
    const list: unknown[] = [];
    while (this.line < this.starts.length && this.indents[this.line] === indent && this.isItem(this.line)) {
      itemLines?.push(this.line);
      const end = this.ends[this.line]!;
      const p = this.skipSpaces(this.col(this.line) + 1, end);
      if (p === end || this.text[p] === '#' || this.isItemAt(p, end)) notPlain();
      if (this.key(p, end)) list.push(this.mapping(p - this.starts[this.line]!, p));
      else {
        list.push(this.inline(p, end));
        this.line++;
        if (this.line < this.starts.length && this.indents[this.line]! > indent) notPlain();
      }
    }
    if (this.line < this.starts.length && this.indents[this.line]! > indent) notPlain();
    return exact(list);
  }

  /** Where a ` #` comment starts on this line (searched only up to `end`: a search past it made reading quadratic). */
  private commentStart(p: number, end: number): number {
    for (let q = p + 1; q < end; q++) if (this.text.charCodeAt(q) === 35 && this.text.charCodeAt(q - 1) === 32) return q - 1;
    return end;
  }

  private isItemAt(p: number, end: number): boolean {
    return this.text[p] === '-' && (p + 1 === end || this.text[p + 1] === ' ');
  }

  private skipSpaces(p: number, end: number): number {
    while (p < end && this.text.charCodeAt(p) === 32) p++;
    return p;
  }

  /** An implicit key at `p`: its name and where its value starts (after `:`), or undefined. */
  private key(p: number, end: number): [string, number] | undefined {
    const c = this.text[p];
    if (c === '[' || c === '{') return undefined; // a flow collection; one as a key is left to `yaml`
    if (c === '"' || c === "'") {
      const [name, after] = this.quoted(p, end);
      const colon = this.skipSpaces(after, end);
      if (this.text[colon] !== ':' || (colon + 1 < end && this.text[colon + 1] !== ' ')) return undefined;
      return [name, colon + 1];
    }
    let colon = p;
    while (colon < end && !(this.text.charCodeAt(colon) === 58 && (colon + 1 === end || this.text.charCodeAt(colon + 1) === 32))) colon++;
    if (colon === end) return undefined;
    const slot = (colon - p) * 65536 + this.text.charCodeAt(p);
    const known = this.keys.get(slot);
    if (known && this.text.startsWith(known.written, p)) return [known.name, colon + 1];
    const written = this.text.slice(p, colon);
    const raw = trimSpaces(written);
    if (raw.includes(' #') || raw.includes('\t') || raw === '' || NOT_PLAIN_START.test(raw) || raw.length > 1000) notPlain();
    const name = typed(raw);
    if (typeof name !== 'string') notPlain();
    this.keys.set(slot, { written, name: name as string });
    return [name as string, colon + 1];
  }

  /** A value that ends the line: a quoted or plain scalar, or a one-line flow collection. */
  private inline(p: number, end: number): unknown {
    const c = this.text[p];
    let value: unknown;
    let after: number;
    if (c === '"' || c === "'") {
      [value, after] = this.quoted(p, end);
      value = this.kept(value as string);
    } else if (c === '[' || c === '{') [value, after] = this.flow(p, end);
    else {
      if (NOT_PLAIN_START.test(this.text.slice(p, Math.min(p + 2, end)))) notPlain();
      const stop = this.commentStart(p, end);
      const raw = trimSpaces(this.text.slice(p, stop));
      if (raw.includes(': ') || raw.endsWith(':') || raw.includes('\t')) notPlain();
      return this.kept(typed(raw));
    }
    const rest = this.skipSpaces(after, end);
    if (rest !== end && (this.text[rest] !== '#' || rest === after)) notPlain();
    return value;
  }

  /** A one-line quoted scalar without escapes ('' in single quotes is a quote). */
  private quoted(p: number, end: number): [string, number] {
    const q = this.text[p]!;
    let value = '';
    let from = p + 1;
    for (;;) {
      let close = from;
      while (close < end && this.text[close] !== q) close++;
      if (close === end) notPlain();
      const part = this.text.slice(from, close);
      if (q === '"' && part.includes('\\')) notPlain();
      if (q === "'" && this.text[close + 1] === "'") {
        value += part + "'";
        from = close + 2;
        continue;
      }
      return [value + part, close + 1];
    }
  }

  /** A flow collection that opens and closes on this line: `[a, "b"]`, `{ k: v, l: [x] }`. */
  private flow(p: number, end: number): [unknown, number] {
    const isMap = this.text[p] === '{';
    const close = isMap ? '}' : ']';
    const result: Record<string, unknown> | unknown[] = isMap ? {} : [];
    p = this.skipSpaces(p + 1, end);
    if (this.text[p] === close) return [result, p + 1];
    for (;;) {
      if (isMap) {
        const c = this.text[p];
        let name: unknown;
        let colon: number;
        if (c === '"' || c === "'") [name, colon] = this.quoted(p, end);
        else {
          [name, colon] = this.flowPlain(p, end);
          if (this.text[colon + 1] !== ' ') notPlain();
        }
        colon = this.skipSpaces(colon, end);
        if (typeof name !== 'string' || this.text[colon] !== ':' || name === '__proto__' || name === '<<' || Object.hasOwn(result, name)) notPlain();
        p = this.skipSpaces(colon + 1, end);
        let value: unknown;
        [value, p] = this.flowValue(p, end);
        (result as Record<string, unknown>)[name as string] = value;
      } else {
        let value: unknown;
        [value, p] = this.flowValue(p, end);
        if (this.text[p] === ':') notPlain();
        (result as unknown[]).push(value);
      }
      p = this.skipSpaces(p, end);
      if (this.text[p] === close) return [isMap ? result : exact(result as unknown[]), p + 1];
      if (this.text[p] !== ',') notPlain();
      p = this.skipSpaces(p + 1, end);
      if (this.text[p] === close || this.text[p] === ',') notPlain(); // a trailing or empty entry
    }
  }

  private flowValue(p: number, end: number): [unknown, number] {
    const c = this.text[p];
    if (c === '[' || c === '{') return this.flow(p, end);
    const [value, after] = c === '"' || c === "'" ? this.quoted(p, end) : this.flowPlain(p, end);
    return [this.kept(value), after];
  }

  /**
   * A string value as the data keeps it: never a slice of the file's text, which would
   * keep the whole text (40 MB for 100,000 RPs) alive for as long as the config is served.
   * V8 slices only from 13 characters (SlicedString::kMinLength): a shorter value is a copy
   * already. A slice of a fresh concatenation is backed by that small string instead. Values
   * of middle length (auth methods, audiences, scopes: what 100,000 RPs repeat) are kept once
   * each; longer ones (secret hashes) are mostly unique and not looked up.
   */
  private kept<T>(value: T): T {
    if (typeof value !== 'string' || value.length < 13) return value;
    if (value.length > SHARED_MAX_LENGTH) return (' ' + value).slice(1) as T;
    let kept = this.values.get(value);
    if (kept === undefined) {
      kept = (' ' + value).slice(1);
      this.values.set(kept, kept);
    }
    return kept as T;
  }


  /** A plain scalar inside `[ ]` or `{ }`: up to `,`, a bracket, or `: `. */
  private flowPlain(p: number, end: number): [unknown, number] {
    if (p >= end || NOT_FLOW_PLAIN_START.test(this.text.slice(p, Math.min(p + 2, end)))) notPlain();
    let q = p;
    for (; q < end; q++) {
      const c = this.text[q];
      if (c === ',' || c === '[' || c === ']' || c === '{' || c === '}') break;
      if (c === ':' && (q + 1 === end || ' ,[]{}'.includes(this.text[q + 1]!))) break;
      if (c === '#' && this.text[q - 1] === ' ') notPlain();
      if (c === '\t') notPlain();
    }
    if (this.text[q] !== ',' && this.text[q] !== ']' && this.text[q] !== '}' && this.text[q] !== ':') notPlain();
    // As for keys (see `keys`): the same text between the same delimiters is the same value.
    const slot = (q - p) * 65536 + this.text.charCodeAt(p);
    const known = this.flowScalars.get(slot);
    if (known && this.text.startsWith(known.written, p)) return [known.value, q];
    const written = this.text.slice(p, q);
    const raw = trimSpaces(written);
    if (raw === '') notPlain();
    const value = typed(raw);
    this.flowScalars.set(slot, { written, value });
    return [value, q];
  }
}
