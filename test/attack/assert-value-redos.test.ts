/**
 * Attack review (issue 12): AssertValue's pattern is matched against what the caller sends,
 * on the one thread that serves every request. A repeated alternation whose branches can
 * start alike backtracks exponentially (`(a|a)*` took 26 s on 29 characters), however deep
 * it sits in the repeated group; `sluice check` refuses it, at the pattern. So it does three
 * unbounded repeats in a row that can share characters (`.*a.*a.*b`: 365 ms a request on
 * 1024 characters, `.*,.*,.*,.*;` past a minute): polynomial of degree three and up.
 */
import { describe, expect, it } from 'vitest';
import { compileWholeMatch, MAX_TESTED_LENGTH } from '../../valves/assert-value-regex.js';
import { positionOf } from '../helpers/positions.js';
import { diagnosticsOf, flowConfig } from '../valves/flow-config.js';

const assertPipe = (pattern: string) => flowConfig(`
  - id: main
    valves:
      - name: AssertValue
        config: { value: "\${request.params.tenant}", matches: "${pattern}" }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);

describe('AssertValue: a repeated alternation (attack review)', () => {
  it.each([
    ['overlapping branches', '(a|a)*'],
    ['a branch that is a prefix of another', '(a|ab)*c'],
    ['a class and a character it holds', '(\\\\w|_)+'],
    ['two classes that overlap', '(?:[a-z]|[a-f0-9])+'],
    ['an empty branch', '(a|)*'],
    ['an ambiguous choice inside the repeated group', '((a|ab)c)*'],
  ])('refuses %s at the pattern', async (_, pattern) => {
    const yaml = assertPipe(pattern);
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, `"${pattern}"`) })]);
  });

  it.each([
    ['a plain choice, not repeated', 'gold|silver|(gold|golden)-[a-z]+'],
    ['branches with their own first character', '(com|org|net)+'],
    ['a class and a character outside it', '([a-z]|-)*'],
    ['separators', '(\\\\.|-)+[a-z]+'],
  ])('accepts %s', async (_, pattern) => {
    const { engine, errors } = await diagnosticsOf(assertPipe(pattern));
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });

  // Adjacent unbounded repeats that overlap are polynomial, of a degree MAX_TESTED_LENGTH
  // does not bound: '.*,.*,.*,.*;' on 1024 commas ran past a minute.
  it('refuses four overlapping unbounded repeats in a row (polynomial of high degree), at the pattern', async () => {
    const yaml = assertPipe('.*,.*,.*,.*;');
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '".*,.*,.*,.*;"') })]);
  });
});

/** A pattern as it is written inside a double-quoted YAML string. */
const quoted = (pattern: string) => `"${pattern.replaceAll('\\', '\\\\')}"`;

describe('AssertValue: unbounded repeats in a row that can share characters (attack review)', () => {
  it.each([
    ['three repeats of anything, a character between', '.*a.*a.*b'],
    ['three repeats of one class, back to back', '\\w+\\w+\\w+'],
    ['a counted group holding a repeat', '(.*,){3}'],
    ['a chain that goes on into a group', '.*,(.*,.*;)'],
    ['repeats that may match nothing between the chain', '[a-z]*\\d*[a-z]*\\d*[a-z]*'],
    ['repeats of overlapping classes', '\\p{L}+[a-z0-9]+\\d{2,}'],
  ])('refuses %s at the pattern', async (_, pattern) => {
    const yaml = assertPipe(quoted(pattern).slice(1, -1));
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, quoted(pattern)) })]);
  });

  const accepted: Array<[string, string]> = [
    ['repeats a separator ends', '^[a-z]+-[a-z]+-[0-9]+$'],
    ['negated classes the separator ends', '[^,]*,[^,]*,[^,]*;'],
    ['a repeated choice apart', '(com|org|net)+'],
    ['two overlapping repeats (quadratic: about a million steps at 1024 characters)', '.*,.*;'],
    ['lookaheads, which never backtrack into', '^(?=.*[a-z])(?=.*\\d).{8,}$'],
    ['an address with an @ between', '[a-z0-9._-]+@[a-z0-9.-]+\\.[a-z]{2,}'],
    ['a counted group with its own separator', '[a-z]+(,[^,]*){3}'],
    ['kebab-case words', '[a-z]+(-[a-z]+)*'],
    ['a dotted name', '[a-z]+(\\.[a-z0-9]+)+'],
    ['path segments', '(/[^/]+)+'],
    ['separators', '(\\.|-)+[a-z]+'],
    ['a class and a character outside it', '([a-z]|-)*'],
  ];

  it.each(accepted)('accepts %s', async (_, pattern) => {
    const { engine, errors } = await diagnosticsOf(assertPipe(quoted(pattern).slice(1, -1)));
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });

  // Values built to make these backtrack (near-matches of their own pieces, ending in a
  // character none accepts). Whether they match does not matter here, and no time is
  // asserted: the suite's timeout is the guard, should one of these take seconds.
  const hostile = [',', 'a', '-a', '.a', '/a', 'a,', '1', 'a1-', '@a.'].map((unit) => `${unit.repeat(MAX_TESTED_LENGTH).slice(0, MAX_TESTED_LENGTH - 1)}!`);
  it.each(accepted)('matches %s against hostile values of 1024 characters, promptly', (_, pattern) => {
    const whole = compileWholeMatch(pattern);
    for (const value of hostile) whole.test(value);
  });
});
