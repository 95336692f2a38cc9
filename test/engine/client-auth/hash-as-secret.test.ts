/** A hash pasted where a secret goes is a check error at it (key-auth walkthrough). */
import { describe, expect, it } from 'vitest';
import { load } from '../../helpers/sluice.js';

describe('a hash written as a secret', () => {
  it('is an error at client_secret and at a secret: entry, also when it comes from the environment', async () => {
    const hash = '$sha256$' + 'A'.repeat(22) + '$' + 'B'.repeat(43);
    const { engine, diagnostics } = await load(`
keystores: [{ id: k, type: generated }]
rps:
  - { client_id: a, client_secret: "\${env.PASTED}", client_credentials_pipe_id: p }
  - { client_id: b, client_secrets: [{ secret: "\${env.PASTED}" }], client_credentials_pipe_id: p }
pipes: [{ id: p, valves: [{ name: CreateJwt, config: { keystore: k } }, { name: TokenResponse }] }]
`, { env: { PASTED: hash } });
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.code])).toEqual([[4, 'schema'], [5, 'schema']]);
    expect(diagnostics.filter((d) => d.severity === 'error').every((d) => d.message.includes('hash'))).toBe(true);
  });
});
