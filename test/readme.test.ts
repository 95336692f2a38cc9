/**
 * The README's lists are derived from the code's, in the way fastify keeps its error table
 * in sync: a method, grant type or built-in valve added in code and not documented fails
 * here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_METHOD_NAMES } from '../engine/client-auth/methods/index.js';
import { GRANT_TYPES } from '../engine/grants/index.js';
import { BUILT_IN_VALVES } from '../valves/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first column of the markdown table under `heading`, unquoted. */
function firstColumn(heading: string): string[] {
  const section = readme.slice(readme.indexOf(heading));
  const table = section.slice(section.indexOf('\n|')).split('\n\n')[0]!;
  return table.split('\n').slice(3).map((row) => /^\| `([^`]+)`/.exec(row)?.[1]).filter((v): v is string => v !== undefined);
}

describe('README', () => {
  it('documents exactly the client authentication methods the server supports', () => {
    expect(firstColumn('### Client authentication')).toEqual([...AUTH_METHOD_NAMES]);
  });

  it('documents every built-in valve', () => {
    expect(firstColumn('### Built-in valves')).toEqual(BUILT_IN_VALVES.map((v) => v.name));
  });

  it('names every grant type', () => {
    for (const grant of GRANT_TYPES.values()) {
      expect(readme).toContain(grant.type);
      if (grant.pipeField) expect(readme).toContain(grant.pipeField);
    }
  });
});
