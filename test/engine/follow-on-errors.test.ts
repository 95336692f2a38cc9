/**
 * One mistake, one error (issue 9 follow-up, user 12): a keystore entry the schema refused
 * is not also an "unknown keystore" for the valve that names it; a plugin that failed to
 * load does not also make its valves "unknown" (a near miss of a known valve still is).
 */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const ENV = { env: { S: 'secret-0123456789abcdef' } };

const config = (keystore: string, valves: string, extra = '') => `${extra}
keystores:
  - ${keystore}
rps:
  - client_id: svc
    client_secret: "\${env.S}"
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves: [${valves}]
`;

async function errorsOf(yaml: string) {
  const { engine, diagnostics } = await load(yaml, ENV);
  expect(engine).toBeUndefined();
  return diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, line: d.line, col: d.col }));
}

describe('follow-on errors', () => {
  it('a keystore the schema refused is reported once, not again by CreateJwt', async () => {
    const yaml = config('{ id: signing, type: pkcs-12, path: k.p12 }', '{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }');
    const errors = await errorsOf(yaml);
    expect(errors).toEqual([expect.objectContaining({ code: 'schema', line: positionOf(yaml, 'type: pkcs-12').line })]);
  });

  it('a keystore id nobody declared is still unknown', async () => {
    const yaml = config('{ id: signing, type: generated }', '{ name: CreateJwt, config: { keystore: signin } }, { name: TokenResponse }');
    expect(await errorsOf(yaml)).toEqual([expect.objectContaining({ code: 'unknown_keystore', ...positionOf(yaml, 'signin }') })]);
  });

  it('a plugin that failed to load is reported once, not again for its valves', async () => {
    const yaml = config('{ id: signing, type: generated }',
      '{ name: TeamClaims }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }', 'plugins: [./missing-plugin.mjs]');
    expect(await errorsOf(yaml)).toEqual([{ code: 'plugin', ...positionOf(yaml, './missing-plugin.mjs') }]);
  });

  it('a near miss of a built-in valve is still reported when a plugin failed', async () => {
    const yaml = config('{ id: signing, type: generated }',
      '{ name: CreateJWT, config: { keystore: signing } }, { name: TokenResponse }', 'plugins: [./missing-plugin.mjs]');
    expect(await errorsOf(yaml)).toEqual([
      { code: 'plugin', ...positionOf(yaml, './missing-plugin.mjs') },
      { code: 'unknown_valve', ...positionOf(yaml, 'CreateJWT') },
    ]);
  });

  it("a duration out of range is one error (check() and create() both see it), naming the bound in its unit", async () => {
    const yaml = config('{ id: signing, type: generated }',
      '{ name: HttpRequest, config: { url: "https://dir.example.com/x", dest: d, timeout: 60s } }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }');
    const { diagnostics } = await load(yaml, ENV);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '60s') })]);
    expect(errors[0]!.message).toContain('at most 30s');
  });

  it("a misspelt required key is one error (unknown key, did you mean), not also 'missing required key'", async () => {
    const yaml = config('{ id: signing, type: generated }',
      '{ name: ClaimsSet, config: { claim: { team: a } } }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }');
    const { diagnostics } = await load(yaml, ENV);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toEqual([expect.objectContaining({ code: 'schema', ...positionOf(yaml, 'claim:') })]);
    expect(errors[0]!.message).toContain("did you mean 'claims'");
  });

  it('a required key that is simply absent is still reported', async () => {
    const yaml = config('{ id: signing, type: generated }',
      '{ name: ClaimsSet, config: { other: 1 } }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }');
    const { diagnostics } = await load(yaml, ENV);
    const messages = diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining("missing required key 'claims'"), expect.stringContaining("unknown key 'other'")]));
  });
});
