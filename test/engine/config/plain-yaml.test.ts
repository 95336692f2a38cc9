/**
 * The fast reader of plain YAML (engine/config/plain-yaml.ts) gives exactly the data the
 * yaml library gives, or leaves the text to it: checked on every YAML file in the
 * repository and on a table of the constructs at the edge of what it reads.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateRpsConfig } from '../../../bench/scale/gen-rps.mjs';
import { readPlainYaml } from '../../../engine/config/plain-yaml.js';
import { ROOT } from '../../cli/cli.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** The plain reader's data, or 'yaml' when it leaves the text to the library. */
function readBoth(text: string): { plain: unknown; library: unknown } {
  let library: unknown;
  try {
    library = parse(text, { uniqueKeys: true });
  } catch {
    library = 'error';
  }
  return { plain: readPlainYaml(text)?.data ?? 'yaml', library };
}

describe('plain YAML reader', () => {
  it('reads every YAML file of the repository as the yaml library does, or leaves it to it', () => {
    const files = yamlFiles(ROOT);
    expect(files.length).toBeGreaterThan(10);
    let read = 0;
    for (const file of files) {
      const { plain, library } = readBoth(readFileSync(file, 'utf8'));
      if (plain === 'yaml') continue;
      read++;
      expect(plain, file).toStrictEqual(library);
    }
    expect(read).toBeGreaterThan(files.length / 2);
  });

  it('reads a generated config with many RPs', () => {
    const { plain, library } = readBoth(generateRpsConfig({ count: 500, scryptEvery: 100 }).join('\n'));
    expect(plain).not.toBe('yaml');
    expect(plain).toStrictEqual(library);
  });

  const READ: Array<[string, string]> = [
    ['typed plain scalars', 'a: 1\nb: -2.50\nc: 0x1F\nd: 0o17\ne: .inf\nf: true\ng: False\nh: null\ni: ~\nj: 1e3\nk: 2027-01-31T00:00:00Z\nl: .nan\n'],
    ['strings that look almost typed', 'a: 1.2.3\nb: truee\nc: nulls\nd: 0x\ne: "1"\nf: \'true\'\ng: +\nh: -x\n'],
    ['quotes and comments', 'a: "x # y" # z\nb: \'it\'\'s\'\nc: a#b\nd: ""\n# whole line\n  # indented comment\ne: x   \n'],
    ['indentless and nested lists', 'rps:\n- id: a\n  scopes:\n  - x\n  - y\n- id: b\n  attrs:\n    k: [1, "2", {m: n}]\n'],
    ['flow collections', 'a: []\nb: {}\nc: [ a , b ]\nd: { k: v, "q": [x, y] }\ne: [http://x:8080/p, a:b]\n'],
    ['templates in block scalars', 'a: ${client.attributes.appid}\nb: "${globals.api}"\nc: x ${y} z\n'],
    ['an empty value', 'a:\nb: 1\nc:\n  d:\n'],
    ['keys with spaces and quotes', '"a b": 1\n\'c\': 2\nd e: 3\n'],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  - x\r\n'],
    ['a list of flow maps', 'secrets:\n  - { hash: "$sha256$a$b", not_after: 2027-01-31T00:00:00Z }\n  - { hash: x }\n'],
    // Keys of one length and first character, and one key written with spaces before its `:`
    // (the reader remembers a key by its written text: each must still be its own key).
    ['flow scalars alike in length and first letter', 'a: [t1, t1 , t2, 10, 1e, 10 , true, tru , null, nul ]\nb: { k: 10, l: 1e, m: t1, n: nil }\n'],
    ['keys alike in length and first letter', 'm:\n  - abc: 1\n    axy: 2\n    abd : 3\n    ab  : 4\n  - axy: 5\n    abc: 6\n    a b: 7\n    ab: 8\n'],
  ];
  it.each(READ)('reads %s as the yaml library does', (_name, text) => {
    const { plain, library } = readBoth(text);
    expect(plain).not.toBe('yaml');
    expect(plain).toStrictEqual(library);
  });

  const LEFT: Array<[string, string]> = [
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a block scalar', 'a: |\n  x\n'],
    ['an escape', 'a: "x\\ny"\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a multi-line flow list', 'a: [x,\n  y]\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a __proto__ key', '__proto__: 1\n'],
    ['a merge key', 'a: 1\n<<: {b: 2}\n'],
    ['a document marker', '---\na: 1\n'],
    ['a tab', 'a:\n\t- x\n'],
    ['a number as key', '1: x\n'],
    ['a nested mapping on one line', 'a: b: c\n'],
    ['a trailing comma', 'a: [x, y,]\n'],
    ['an unquoted template in a flow list', 'a: [${globals.api}]\n'],
    ['a top-level list', '- a\n- b\n'],
    ['an empty document', ''],
    ['a syntax error', 'a: "x\n'],
    ['a BOM', '\ufeffa: 1\n'],
    ['a lone carriage return', 'a: x\ry\n'],
  ];
  it.each(LEFT)('leaves %s to the yaml library', (_name, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });

  // YAML's white space is the space and the tab only (YAML 1.2 section 5.5); JavaScript's
  // trimEnd also takes no-break spaces, line separators, a BOM... And `-`, `?`, `:` alone in
  // a flow collection are indicators, not scalars. Either way the plain reader must give the
  // library's data or leave the text to it, never other data (attack review).
  const UNICODE_SPACES = ['\u00a0', '\u2028', '\u2029', '\u3000', '\ufeff', '\u0085', '\u000b', '\u000c', '\u1680', '\u2000', '\u202f', '\u205f'];
  const EDGES: string[] = [
    ...UNICODE_SPACES.flatMap((w) => [`a: x${w}\n`, `a${w}: x\n`, `a: [x${w}]\n`, `a: {k${w}: v}\n`, `a: {k: v${w}}\n`, `l:\n  - a: x${w}\n`, `a: x${w} # c\n`]),
    ...['-', '?', ':'].flatMap((c) => [`a: [x, ${c}]\n`, `a: [${c}]\n`, `a: {k: ${c}}\n`, `a: [x, ${c}, y]\n`, `a: {k: ${c}, l: 1}\n`]),
  ];
  it.each(EDGES)('reads %j as the library does, or leaves it to it', (text) => {
    const { plain, library } = readBoth(text);
    if (plain !== 'yaml') expect(plain).toStrictEqual(library);
  });
});
