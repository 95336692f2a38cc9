/**
 * The YAML alias budget counts bytes too (issue 9 follow-up, L2): one 1 MiB string anchored
 * once and aliased 3000 times is few values, but 3 GB of text that each token request then
 * walked (26 s of a blocked event loop). It is a diagnostic at the alias that passes 4 MiB.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const VALID = `keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: "\${env.S}"
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`;
const ENV = { env: { S: 'secret-0123456789abcdef' } };
const MiB = 1024 * 1024;

function bigAliases(stringBytes: number, copies: number): string {
  return `globals:\n  big: &big "${'A'.repeat(stringBytes)}"\n  copies: [${Array(copies).fill('*big').join(', ')}]\n` + VALID;
}

describe('YAML aliases: expanded bytes', () => {
  it('a 1 MiB string aliased 3000 times is refused at the alias passing 4 MiB', async () => {
    const yaml = bigAliases(MiB, 3000);
    const { engine, diagnostics } = await load(yaml, ENV);
    expect(engine).toBeUndefined();
    // Four copies add exactly 4 MiB; the fifth passes the budget.
    const fifth = yaml.indexOf('*big, *big, *big, *big, *big') + '*big, '.length * 4;
    const at = positionOf(yaml.slice(0, fifth) + '\u0000' + yaml.slice(fifth + 1), '\u0000');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([expect.objectContaining({ code: 'yaml_syntax', ...at })]);
  });

  it('small strings aliased many times still load', async () => {
    const { engine, diagnostics } = await load(bigAliases(1000, 3000), ENV);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });
});
