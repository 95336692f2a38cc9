/**
 * AssertValue's check for polynomial backtracking of degree three and up: unbounded repeats
 * in a row that can share the characters of a long value (see `overlappingRepeats`).
 */
import { atomEnd, groupOpening, quantifierAt } from './assert-value-syntax.js';

/** Characters every one-character atom is tried on: the whole BMP and one astral sample (built once, when first needed). */
let everyCharacter: string | undefined;
/** Pairs already tried: a config repeats its atoms, and each try scans 65 536 characters. */
const overlapsSeen = new Map<string, boolean>();

/** Whether two one-character atoms can match the same character (`.` and `a` can; `[^,]` and `,` cannot). */
function overlaps(a: string, b: string): boolean {
  everyCharacter ??= Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).join('') + '\u{1F600}';
  const key = `${a}\u0000${b}`;
  if (!overlapsSeen.has(key)) {
    let both = true; // a backreference: assume the worst
    try {
      both = new RegExp(`(?=${a})(?:${b})`, 'u').test(everyCharacter);
    } catch {}
    overlapsSeen.set(key, both);
  }
  return overlapsSeen.get(key)!;
}

const ZERO_WIDTH = new Set(['^', '$', '\\b', '\\B']);

/** Unrolling stops past this length, so that nested counts (`((a{3}){3}){3}`…) stay cheap to check. */
const MAX_UNROLLED = 4096;

/** Unbounded repeats in a row that can share characters, and the atom of the last. */
interface Chain {
  readonly atom: string;
  readonly repeats: readonly string[];
}

/**
 * Three unbounded repeats in a row, each able to match what the one before it matched (and
 * the characters between them), backtrack in polynomial time of degree three: `.*a.*a.*b`
 * tries every way to share a run of `a`s among its `.*`s, n³/6 steps on a near-match (365 ms
 * a request at 1024 characters; `.*,.*,.*,.*;` ran past a minute). Two such repeats
 * (`.*,.*;`) are quadratic, about a million steps at MAX_TESTED_LENGTH, and stay allowed.
 * `[^,]*,[^,]*,[^,]*;` is safe: `[^,]` cannot match the `,` between. A repeat that may
 * match nothing does not end a chain (`[a-z]*\d*[a-z]*\d*[a-z]*`). A repeated or counted
 * group is unrolled (`(.*,){3}` is `.*,.*,.*,`); a choice ends every chain (so
 * `.*(,|;).*(,|;).*` passes: this catches the common shapes, not all), and a lookaround
 * is apart from them. Returns the repeats of the first such chain, as written.
 */
export function overlappingRepeats(source: string): string[] | undefined {
  let chains: Chain[] = [];
  const open: Array<{ start: number; lookaround: boolean; alternation: boolean; before: Chain[] }> = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '(') {
      const lookaround = /^\(\?<?[=!]/.test(source.slice(i, i + 4));
      open.push({ start: i, lookaround, alternation: false, before: chains });
      if (lookaround) chains = [];
      i += groupOpening(source, i);
    } else if (c === '|') {
      const top = open.at(-1);
      if (top) top.alternation = true;
      chains = [];
      i += 1;
    } else if (c === ')') {
      const group = open.pop()!;
      const quantifier = quantifierAt(source, i + 1);
      const end = i + 1 + (quantifier?.length ?? 0);
      if (quantifier && !group.lookaround) {
        const body = `(?:${source.slice(group.start + groupOpening(source, group.start), i)})`;
        const unrolled = source.slice(0, group.start) + body.repeat(Math.min(quantifier.max, 3)) + source.slice(end);
        if (unrolled.length <= MAX_UNROLLED) return overlappingRepeats(unrolled);
      }
      chains = group.lookaround ? group.before : quantifier || group.alternation ? [] : chains;
      i = end;
    } else {
      const atomEnds = atomEnd(source, i);
      const atom = source.slice(i, atomEnds);
      const quantifier = quantifierAt(source, atomEnds);
      const end = atomEnds + (quantifier?.length ?? 0);
      const repeat = source.slice(i, end);
      i = end;
      const optional = quantifier?.min === 0;
      if (ZERO_WIDTH.has(atom) || (optional && quantifier.max !== Infinity)) continue; // may match nothing
      const going = chains.filter((chain) => overlaps(chain.atom, atom));
      if (quantifier?.max !== Infinity) chains = going;
      else {
        const longest = going.reduce<readonly string[]>((best, chain) => (chain.repeats.length > best.length ? chain.repeats : best), []);
        if (longest.length >= 2) return [...longest, repeat];
        const kept = optional ? chains.filter((chain) => chain.atom !== atom) : [];
        chains = [{ atom, repeats: [...longest, repeat] }, ...kept];
      }
    }
  }
  return undefined;
}
