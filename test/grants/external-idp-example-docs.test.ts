/**
 * The external-IdP config exists in three copies that users copy from: the example
 * (config/examples/external-idp.yaml, tested end to end), the reusable pipe
 * (pipes/external-idp.yaml) and the README's excerpt. They must not drift apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Entry = Record<string, unknown>;
interface ConfigParts {
  trusted_issuers: Entry[];
  roles: string[];
  rps: Entry[];
  pipes: Entry[];
}

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const example = parse(read('config/examples/external-idp.yaml')) as ConfigParts;
const pipe = parse(read('pipes/external-idp.yaml')) as Entry;

/** The yaml block of the README section "Tokens from an external IdP". */
function readmeExcerpt(): ConfigParts {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('### Tokens from an external IdP'));
  return parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]!) as ConfigParts;
}

describe('the external-IdP config copies', () => {
  it('the reusable pipe is the example pipe', () => {
    expect(example.pipes).toEqual([pipe]);
  });

  it("the README's excerpt is the example, cut short", () => {
    const excerpt = readmeExcerpt();
    expect(excerpt.trusted_issuers).toEqual(example.trusted_issuers.map(({ clock_skew: _, ...issuer }) => issuer));
    expect(excerpt.roles).toEqual(example.roles);
    expect(excerpt.rps).toEqual(example.rps.filter((rp) => rp.client_id === 'platform-exchange'));
    expect(excerpt.pipes.map((p) => [p.id, p.valves])).toEqual(example.pipes.map((p) => [p.id, p.valves]));
  });
});
