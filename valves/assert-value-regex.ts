/**
 * AssertValue's regular expressions: compiled at load, matched against the whole value, and
 * refused at load when their shape backtracks catastrophically on a hostile value.
 *
 * A backtracking engine (V8's) takes exponential time on a repeated group that itself holds
 * a variable repeat, such as `(a+)+` or `(\w*)*`, tried on a long near-match: the classic
 * ReDoS. Such "star height > 1" patterns are refused, as the safe-regex rule does; every
 * other pattern is polynomial at worst, and MAX_TESTED_LENGTH bounds that polynomial.
 */

/** A value longer than this (UTF-16 code units) fails the assertion without being tested. */
export const MAX_TESTED_LENGTH = 1024;

/** The pattern as written, or why it cannot be used. */
export function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  const risk = nestedRepeat(source);
  return risk === undefined ? undefined : `'${risk}' repeats a group that itself repeats: a long value can make it backtrack for ages (ReDoS); write it without the nesting (e.g. '(a+)+' as 'a+')`;
}

/** The whole value must match (as Java's String.matches): `.*` for a substring. */
export function compileWholeMatch(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, 'u');
}

interface Quantifier {
  readonly length: number;
  /** Repeats a variable number of times (`*`, `+`, `{n,}`, `{n,m}` with m > n). */
  readonly variable: boolean;
}

function quantifierAt(source: string, i: number): Quantifier | undefined {
  const c = source[i];
  let length = 0;
  let variable = false;
  if (c === '*' || c === '+') [length, variable] = [1, true];
  else if (c === '?') length = 1;
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!m) return undefined;
    length = m[0].length;
    variable = m[2] !== undefined && (m[3] === '' || Number(m[3]) > Number(m[1]));
  } else return undefined;
  if (source[i + length] === '?') length += 1; // lazy
  return { length, variable };
}

/** The length of a group's opening: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`. */
function groupOpening(source: string, i: number): number {
  if (source[i + 1] !== '?') return 1;
  if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') return source.indexOf('>', i) - i + 1;
  return source[i + 2] === '<' ? 4 : 3;
}

/** The first group (as written) that repeats while holding a variable repeat, if any. */
function nestedRepeat(source: string): string | undefined {
  // Per open group: where it starts, and whether a variable repeat occurs inside it.
  const open: Array<{ start: number; repeats: boolean }> = [];
  const markRepeat = () => {
    const top = open.at(-1);
    if (top) top.repeats = true;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let inner = false;
    let start = i;
    if (c === '(') {
      open.push({ start: i, repeats: false });
      i += groupOpening(source, i);
      continue;
    }
    if (c === ')') {
      const group = open.pop();
      inner = group?.repeats ?? false;
      start = group?.start ?? i;
      i += 1;
    } else if (c === '\\') i += 2;
    else if (c === '[') {
      i += 1;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i += 1;
    } else i += 1;
    const quantifier = quantifierAt(source, i);
    if (quantifier?.variable && inner) return source.slice(start, i + quantifier.length);
    if (quantifier?.variable || inner) markRepeat();
    if (quantifier) i += quantifier.length;
  }
  return undefined;
}
