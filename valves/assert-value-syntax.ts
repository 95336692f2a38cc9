/** The pieces of a regular expression's syntax that AssertValue's ReDoS checks read. */

export interface Quantifier {
  readonly length: number;
  readonly min: number;
  /** Infinity for `*`, `+` and `{n,}`. */
  readonly max: number;
  /** Repeats a variable number of times (`*`, `+`, `{n,}`, `{n,m}` with m > n). */
  readonly variable: boolean;
}

export function quantifierAt(source: string, i: number): Quantifier | undefined {
  const c = source[i];
  let [length, min, max] = [1, 0, Infinity];
  if (c === '+') min = 1;
  else if (c === '?') max = 1;
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!m) return undefined;
    length = m[0].length;
    min = Number(m[1]);
    max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  } else if (c !== '*') return undefined;
  if (source[i + length] === '?') length += 1; // lazy
  return { length, min, max, variable: max > min };
}

/** Where the atom at i (not a group) ends: an escape (`\.`, `\p{L}`, `\u{1F600}`, `\x41`), a class, or one character. */
export function atomEnd(source: string, i: number): number {
  if (source[i] === '\\') return i + /^\\(?:[pPu]\{[^}]*\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[A-Za-z]|k<[^>]*>|\d+|[\s\S])/.exec(source.slice(i))![0].length;
  if (source[i] !== '[') return i + 1;
  let j = i + 1;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** The length of a group's opening: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`. */
export function groupOpening(source: string, i: number): number {
  if (source[i + 1] !== '?') return 1;
  if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') return source.indexOf('>', i) - i + 1;
  return source[i + 2] === '<' ? 4 : 3;
}
