/**
 * `sluice check` on FortifiedID's pipe shape (`{id, config: {valves}}`, pasted JSON) beside
 * a Sluice pipe: errors inside config.valves, a class name as valve name and FortifiedID RP
 * keys are each one line at FILE:LINE:COL, exit 1; the same file corrected exits 0. The
 * documented client_credentials pipe's traps (a JsonObjectCreate response whose expires_in
 * disagrees with jwt_ttl, a constant scope, a foreign iss) are warnings at their values, exit 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { positionOf } from '../helpers/positions.js';
import { checkBoth, expectErrors, requireBuild } from './cli.js';
import { checkInProcess } from './in-process.js';

const VALID = `keystores:
  - id: signing
    type: generated
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: client_credentials_pipe
  - client_id: other
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: native
pipes:
  - { "id": "client_credentials_pipe",
      "config": { "valves": [
        { "name": "CreateJwt", "enabled": true, "config": { "dest": "access_token", "jwt_ttl": 60, "keystore": "signing" } },
        { "name": "JsonObjectCreate", "enabled": true, "config": {
            "src": { "access_token": "\${item.access_token}", "token_type": "Bearer", "expires_in": 3600 },
            "dest": "client_credentials" } } ] } }
  - id: native
    valves:
      - name: PipeExec
        config: { pipe: client_credentials_pipe }
`;
const BROKEN = VALID.replace('"jwt_ttl": 60', '"jwt_ttl": "soon"')
  .replace('"name": "JsonObjectCreate"', '"name": "com.fortifiedid.pipes.valves.json.JsonObjectCreateValve"')
  .replace('    client_credentials_pipe_id: native\n', '    client_credentials_pipe_id: native\n    access_token_claims: { tenant: acme }\n');

// The docs' pipe (token-endpoint page), keystore by id (inline keystores are another part of issue 13).
const DOCUMENTED = `keystores:
  - id: signing
    type: generated
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: client_credentials_pipe
pipes:
  - { "id": "client_credentials_pipe",
      "config": { "valves": [
        { "name": "CreateJwt", "enabled": true, "config": {
            "dest": "access_token", "jwt_ttl": 60,
            "jwt_headers": { "test_header": "test_header", "typ": "at+jwt" },
            "jwt_claims": { "test_claim": "test_claim", "sub": "\${request.client_id}", "iss": "https://op.example.com",
                            "aud": ["https://api.example.com/"], "scope": "\${request.scope}" },
            "keystore": "signing" } },
        { "name": "JsonObjectCreate", "enabled": true, "config": {
            "src": { "access_token": "\${item.access_token}", "token_type": "Bearer", "expires_in": 3600, "scope": "read" },
            "dest": "client_credentials" } } ] } }
`;
const SHORTER_TTL = DOCUMENTED.replace('"jwt_ttl": 60', '"jwt_ttl": 30');

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'sluice-fortifiedid-'));
  writeFileSync(join(dir, 'valid.yaml'), VALID);
  writeFileSync(join(dir, 'broken.yaml'), BROKEN);
  writeFileSync(join(dir, 'documented.yaml'), DOCUMENTED);
  writeFileSync(join(dir, 'shorter-ttl.yaml'), SHORTER_TTL);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { SVC_SECRET: 'svc-secret-0123456789' };

describe('sluice check: FortifiedID shapes', () => {
  it('a FortifiedID pipe and a Sluice pipe in one file: valid, exit 0', async () => {
    const { text, report } = await checkBoth('valid.yaml', { cwd: dir, env });
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(text.code).toBe(0);
  });

  it('problems inside config.valves and a FortifiedID RP key: one line each at FILE:LINE:COL, exit 1', async () => {
    const at = (needle: string) => positionOf(BROKEN, needle);
    const result = await checkBoth('broken.yaml', { cwd: dir, env });
    expectErrors('broken.yaml', result, [
      { ...at('access_token_claims'), code: 'schema', message: /jwt_claims/ },
      { ...at('"soon"'), code: 'schema' },
      { ...at('"com.fortifiedid'), code: 'unknown_valve', message: /name: JsonObjectCreate/ },
    ]);
  });
});

/**
 * The warnings of one check run, as `FILE:LINE:COL` and code, in file order; the run must exit 0.
 * In-process (test/cli/in-process.ts): the binary's output is asserted by the tests above.
 */
async function warningsOf(name: string) {
  const file = join(dir, name);
  const { text, report } = await checkInProcess(file, { env });
  expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(text.code).toBe(0);
  const warnings = report.diagnostics.filter((d) => d.severity === 'warning');
  for (const w of warnings) expect(text.stdout).toContain(`${file}:${w.line}:${w.col}: warning: `);
  return warnings;
}

describe("sluice check: the traps of FortifiedID's documented client_credentials pipe", () => {
  it("the docs' pipe: a warning at the constant scope \"read\", at the foreign iss, and at the scope claim no ScopeCheck fills; expires_in 3600 agrees with jwt_ttl 60", async () => {
    const warnings = (await warningsOf('documented.yaml')).filter((w) => w.code === 'valve_config');
    // The aud warning: a constant aud replaces the granted audiences (CreateJwt's own check).
    expect(warnings.map(({ line, col }) => ({ line, col }))).toEqual([positionOf(DOCUMENTED, '"iss"'), positionOf(DOCUMENTED, '"aud"'), positionOf(DOCUMENTED, '"${request.scope}"'), positionOf(DOCUMENTED, '"read"')]);
    expect(warnings[0]!.message).toContain('https://op.example.com');
    expect(warnings[2]!.message).toContain('add ScopeCheck');
    expect(warnings[3]!.message).toContain('${request.scope}');
  });

  it('jwt_ttl 30 beside expires_in 3600: a warning at expires_in with both numbers', async () => {
    const warnings = await warningsOf('shorter-ttl.yaml');
    const at = positionOf(SHORTER_TTL, '3600');
    const expiresIn = warnings.filter((w) => w.line === at.line && w.col === at.col);
    expect(expiresIn).toHaveLength(1);
    expect(expiresIn[0]!.message).toContain('3600');
    expect(expiresIn[0]!.message).toContain('1800');
    expect(expiresIn[0]!.message).toContain('jwt_ttl 30');
  });
});
