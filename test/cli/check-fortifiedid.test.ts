/**
 * `sluice check` on FortifiedID's pipe shape (`{id, config: {valves}}`, pasted JSON) beside
 * a Sluice pipe: errors inside config.valves, a class name as valve name and FortifiedID RP
 * keys are each one line at FILE:LINE:COL, exit 1; the same file corrected exits 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { positionOf } from '../helpers/positions.js';
import { checkBoth, expectErrors, requireBuild } from './cli.js';

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

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'sluice-fortifiedid-'));
  writeFileSync(join(dir, 'valid.yaml'), VALID);
  writeFileSync(join(dir, 'broken.yaml'), BROKEN);
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
