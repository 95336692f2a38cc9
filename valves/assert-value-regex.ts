/**
 * AssertValue's regular expressions: compiled at load, matched against the whole value, and
 * refused at load when their shape backtracks catastrophically on a hostile value.
 *
 * A backtracking engine (V8's) takes exponential time on a repeated group that itself holds
 * a variable repeat, such as `(a+)+` or `(\w*)*`, tried on a long near-match: the classic
 * ReDoS. Such "star height > 1" patterns are refused, as the safe-regex rule does, unless
 * each iteration starts with a literal character the inner repeats cannot match (see
 * `separated`). A repeated alternation is exponential too when its branches can start
 * alike (`(a|ab)*`, `(\w|_)+`: attack review of issue 12, 26 s on 29 characters for
 * `(a|a)*`), so its branches must each start with a literal character, or all but one
 * of them, and the one that does not with a single character class the others' cannot
 * match (`(\.|-)+`, `([a-z]|-)*`; see `branchesApart`). Every other pattern is polynomial
 * at worst, and MAX_TESTED_LENGTH bounds that polynomial when its degree is at most two;
 * three unbounded repeats in a row that can share characters are refused
 * (assert-value-chains.ts).
 */
import { overlappingRepeats } from './assert-value-chains.js';
import { atomEnd, groupOpening, quantifierAt } from './assert-value-syntax.js';

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
  if (risk === undefined) {
    const chain = overlappingRepeats(source);
    return chain && `${chain.map((r) => `'${r}'`).join(', ')} are unbounded repeats in a row that can match the same characters: a long value makes them try every way to share it, for seconds a request (polynomial ReDoS); let each match only what the next cannot, e.g. '.*,.*,.*;' as '[^,]*,[^,]*,[^,]*;'`;
  }
  return risk.choice
    ? `'${risk.atom}' repeats a choice whose branches can start with the same character: a long value can make it backtrack for ages (ReDoS); start each branch with its own literal character, or write one character class (e.g. '(\\w|_)+' as '\\w+')`
    : `'${risk.atom}' repeats a group that itself repeats: a long value can make it backtrack for ages (ReDoS); write it without the nesting (e.g. '(a+)+' as 'a+')`;
}

/** The whole value must match (as Java's String.matches): `.*` for a substring. */
export function compileWholeMatch(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, 'u');
}

interface OpenGroup {
  readonly start: number;
  /** The atoms inside (nested ones too) that repeat a variable number of times. */
  readonly repeated: Array<{ readonly source: string; readonly single: boolean }>;
  /** Atoms seen so far at this group's own level. */
  atoms: number;
  alternation: boolean;
  /** The literal character the group's body starts with, exactly once, if it does. */
  lead: string | undefined;
  /** How each branch (between `|`) starts: its first atom, unless that atom is quantified or a group. */
  branchStarts: Array<string | undefined>;
  /** It holds, at any depth, an alternation whose branches can start alike: `((a|ab)c)*` backtracks as `(a|ab)*` does. */
  ambiguous: boolean;
}

/** The character a one-character atom stands for literally (`-`, `\.`), if it does. */
function literal(atom: string): string | undefined {
  if (atom.length === 1 && !'.^$'.includes(atom)) return atom;
  if (atom.length === 2 && atom[0] === '\\' && !/[A-Za-z0-9]/.test(atom[1]!)) return atom[1];
  return undefined;
}

/** Whether a one-character atom (a character, class, escape or `.`) can match `c`. */
function canMatch(atom: string, c: string): boolean {
  try {
    return new RegExp(`^(?:${atom})$`, 'u').test(c);
  } catch {
    return true;
  }
}

/**
 * A repeated group holding a variable repeat backtracks only when an input can be split
 * into its iterations in many ways. It cannot when every iteration starts with one literal
 * character that none of the repeats inside can match: `(-[a-z]+)*`, `(\.\w+)+` and
 * `(/[^/]+)*` are safe, `(a+)+` and `([a-z]*-?)*` are not.
 */
function separated(group: OpenGroup): boolean {
  const { lead } = group;
  return lead !== undefined && !group.alternation && group.repeated.every((r) => r.single && !canMatch(r.source, lead));
}

/**
 * Whether the branches of a repeated alternation cannot start with the same character, so
 * that each iteration has one branch to take: every branch starts with a one-character atom,
 * at most one of them is not a literal, and no two can match the same first character.
 */
function branchesApart(group: OpenGroup): boolean {
  const starts = group.branchStarts;
  if (starts.some((s) => s === undefined)) return false;
  const atoms = starts as string[];
  const literals = atoms.map(literal);
  if (literals.filter((l) => l === undefined).length > 1) return false;
  return atoms.every((atom, i) => atoms.every((_, j) => j === i || literals[j] === undefined || !canMatch(atom, literals[j]!)));
}

/** The first group (as written) that repeats ambiguously while holding a variable repeat, if any. */
function nestedRepeat(source: string): { atom: string; choice: boolean } | undefined {
  const open: OpenGroup[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '(') {
      open.push({ start: i, repeated: [], atoms: 0, alternation: false, lead: undefined, branchStarts: [undefined], ambiguous: false });
      i += groupOpening(source, i);
      continue;
    }
    if (c === '|') {
      const top = open.at(-1);
      if (top) {
        top.alternation = true;
        top.branchStarts.push(undefined);
        top.atoms = 0;
      }
      i += 1;
      continue;
    }
    let start = i;
    let closed: OpenGroup | undefined;
    if (c === ')') {
      closed = open.pop();
      start = closed?.start ?? i;
      i += 1;
    } else i = atomEnd(source, i);
    const atom = source.slice(start, i);
    const quantifier = quantifierAt(source, i);
    const repeated = atom + source.slice(i, i + (quantifier?.length ?? 0));
    if (quantifier?.variable && closed && closed.repeated.length > 0 && !separated(closed)) return { atom: repeated, choice: false };
    const ambiguous = closed !== undefined && (closed.ambiguous || (closed.alternation && !branchesApart(closed)));
    if (quantifier?.variable && ambiguous) return { atom: repeated, choice: true };
    const top = open.at(-1);
    if (top) {
      top.ambiguous ||= ambiguous;
      if (top.atoms === 0 && !top.alternation && !quantifier && !closed) top.lead = literal(atom);
      if (top.atoms === 0 && !quantifier && !closed) top.branchStarts[top.branchStarts.length - 1] = atom;
      top.atoms += 1;
      if (closed) top.repeated.push(...closed.repeated);
      if (quantifier?.variable) top.repeated.push({ source: atom, single: !closed });
    }
    if (quantifier) i += quantifier.length;
  }
  return undefined;
}
