/**
 * What the YAML itself may say: no key reaches a prototype, and aliases are bounded by
 * the size they expand to (not by how often one is used), reported like any problem.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { load, tempDir } from '../helpers/sluice.js';
import { requireBuild, sluice, type CheckJson } from '../cli/cli.js';

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
const errorsOf = async (yaml: string) =>
  (await load(yaml, ENV)).diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.col, d.code]);

describe('__proto__ keys', () => {
  it.each([
    ['at the top level', '__proto__: { issuer: https://evil.example }\n' + VALID, [1, 1]],
    ['in discovery_meta', 'oidc:\n  discovery_meta:\n    __proto__: { x: 1 }\n' + VALID, [3, 5]],
    ['quoted, in a valve config', VALID.replace('config: { keystore: signing }', 'config: { keystore: signing, jwt_claims: { "__proto__": { a: 1 } } }'), [8, 76]],
    ['as an alias to a __proto__ scalar', 'globals:\n  name: &k __proto__\n  map: { *k : 1 }\n' + VALID, [3, 10]],
  ])('are refused %s, at the key', async (_name, yaml, [line, col]) => {
    const { engine } = await load(yaml, ENV);
    expect(engine).toBeUndefined();
    expect(await errorsOf(yaml)).toEqual([[line, col, 'schema']]);
  });

  it('a key named constructor or prototype is plain data', async () => {
    const yaml = VALID.replace('config: { keystore: signing }', 'config: { keystore: signing, jwt_claims: { constructor: a, prototype: b } }');
    expect(await errorsOf(yaml)).toEqual([]);
  });
});

const billionLaughs = (levels: number) => {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
};

describe('YAML aliases', () => {
  it('one anchor may be used 150 times', async () => {
    const yaml = `globals:\n  api: &api https://api.example.com\n  apis: [${Array(150).fill('*api').join(', ')}]\n` + VALID;
    const { engine, diagnostics } = await load(yaml, ENV);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });

  it('an alias with no anchor before it is a diagnostic at the alias', async () => {
    expect(await errorsOf('globals:\n  a: *nope\n' + VALID)).toEqual([[2, 6, 'yaml_syntax']]);
  });

  it('a billion laughs is a diagnostic at an alias', async () => {
    expect(await errorsOf(billionLaughs(9) + VALID)).toEqual([[expect.any(Number), expect.any(Number), 'yaml_syntax']]);
  });

  describe('through sluice check', () => {
    beforeAll(requireBuild);
    it('exit 1 and valid JSON with FILE:LINE:COL', async () => {
      const dir = tempDir({ 'laughs.yaml': billionLaughs(9) + VALID });
      const text = await sluice(['check', 'laughs.yaml'], { cwd: dir, env: { S: 'secret-0123456789abcdef' } });
      const json = await sluice(['check', 'laughs.yaml', '--json'], { cwd: dir, env: { S: 'secret-0123456789abcdef' } });
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/^laughs\.yaml:\d+:\d+: error: /m);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as CheckJson;
      expect(report).toMatchObject({ file: 'laughs.yaml', valid: false, diagnostics: [expect.objectContaining({ code: 'yaml_syntax' })] });
    });
  });
});
