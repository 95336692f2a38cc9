/**
 * The README's lists are derived from the code's, in the way fastify keeps its error table
 * in sync: a method, grant type or built-in valve added in code and not documented fails
 * here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_METHOD_NAMES } from '../engine/client-auth/methods/index.js';
import { FORTIFIEDID_RP_KEYS } from '../engine/config/fortifiedid-rp-keys.js';
import { GRANT_TYPES } from '../engine/grants/index.js';
import { BUILT_IN_VALVES } from '../valves/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the markdown table under `heading`, as [first column unquoted, the rest]. */
function rows(heading: string): [string, string][] {
  const section = readme.slice(readme.indexOf(heading));
  const table = section.slice(section.indexOf('\n|')).split('\n\n')[0]!;
  return table.split('\n').slice(3).flatMap((row) => {
    const match = /^\| `([^`]+)`[^|]*\|(.*)$/.exec(row);
    return match ? [[match[1]!, match[2]!] as [string, string]] : [];
  });
}

/** The first column of the markdown table under `heading`, unquoted. */
function firstColumn(heading: string): string[] {
  return rows(heading).map(([name]) => name);
}

/** FortifiedID RP keys that Sluice takes as they are (the advice table lists the others). */
const SHARED_RP_KEYS = ['client_id', 'client_secret', 'client_credentials_pipe_id'];

describe('README', () => {
  it('documents exactly the client authentication methods the server supports', () => {
    expect(firstColumn('### Client authentication')).toEqual([...AUTH_METHOD_NAMES]);
  });

  it('documents every built-in valve', () => {
    expect(firstColumn('### Built-in valves')).toEqual(BUILT_IN_VALVES.map((v) => v.name));
  });

  it("maps exactly FortifiedID's RP keys that check knows, saying which are ignored", () => {
    const documented = rows('### RP keys');
    expect(documented.map(([key]) => key).sort()).toEqual([...SHARED_RP_KEYS, ...Object.keys(FORTIFIEDID_RP_KEYS)].sort());
    for (const [key, text] of documented) {
      if (SHARED_RP_KEYS.includes(key)) expect(FORTIFIEDID_RP_KEYS).not.toHaveProperty(key);
      else expect(text.trimStart().startsWith(FORTIFIEDID_RP_KEYS[key]!.ignored ? 'warning, ignored' : 'error'), key).toBe(true);
    }
  });

  it('names every grant type', () => {
    for (const grant of GRANT_TYPES.values()) {
      expect(readme).toContain(grant.type);
      if (grant.pipeField) expect(readme).toContain(grant.pipeField);
    }
  });
});
