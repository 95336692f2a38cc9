/** `npm run bench` options: what --only accepts, and that the README lists the same names. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOptions, recordedOptions } from '../../bench/options.js';
import { SELECTABLE } from '../../bench/scenarios.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('bench options', () => {
  it('--only takes every selectable name, any case, comma-separated with spaces', () => {
    for (const name of SELECTABLE) expect(parseOptions(['--only', name])).toMatchObject({ only: new Set([name]) });
    expect(parseOptions(['--only', 'ES256, rs256'])).toMatchObject({ only: new Set(['es256', 'rs256']) });
  });

  it('--only refuses an unknown name, naming the choices', () => {
    expect(() => parseOptions(['--only', 'es256,sluice'])).toThrow(/unknown sluice; choose from es256, rs256/);
  });

  it('--only with no name is refused, not read as every row', () => {
    for (const empty of ['', ',', ' , ']) expect(() => parseOptions(['--only', empty])).toThrow(/--only: name at least one of es256/);
  });

  it('rounds, duration and connections must be positive; rounds and connections integers', () => {
    expect(parseOptions(['--rounds', '1', '--duration', '0.5'])).toMatchObject({ rounds: 1, duration: 0.5, connections: 32, profile: false });
    expect(() => parseOptions(['--rounds', '0'])).toThrow(/--rounds/);
    expect(() => parseOptions(['--connections', '1.5'])).toThrow(/--connections/);
  });

  it('a results file records --profile only when set, so a plain run matches a plain one and not a profiled one', () => {
    const plain = parseOptions(['--only', 'es256', '--rounds', '1']);
    const profiled = parseOptions(['--only', 'es256', '--rounds', '1', '--profile']);
    if (plain === 'help' || profiled === 'help') throw new Error('unexpected help');
    expect(recordedOptions(plain)).toEqual({ rounds: 1, duration: 10, connections: 32, warmup: 2, only: ['es256'] });
    expect(recordedOptions(profiled)).toEqual({ ...recordedOptions(plain), profile: true });
  });

  it("the README's Performance section lists exactly the names --only takes", () => {
    const line = /npm run bench -- --only [^\n]*# ([a-z0-9 ]+)\n/.exec(readme);
    expect(line?.[1]?.trim().split(' ')).toEqual([...SELECTABLE]);
  });
});
