/**
 * `sluice check` on a pipe whose CreateJwt is switched off (issue 9, item 15): exit 1 and
 * one error at the TokenResponse that would have nothing to answer with.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkBoth, expectErrors, requireBuild } from './cli.js';

const CONFIG = `keystores:
  - id: signing
    type: generated
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - name: CreateJwt
        enabled: false
        config: { keystore: signing }
      - name: TokenResponse
`;

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'sluice-wiring-'));
  writeFileSync(join(dir, 'disabled-create-jwt.yaml'), CONFIG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sluice check: pipe wiring', () => {
  it('a disabled CreateJwt: exit 1, an error at the TokenResponse name', async () => {
    const result = await checkBoth('disabled-create-jwt.yaml', { cwd: dir, env: { SVC_SECRET: 'svc-secret-0123456789' } });
    expectErrors('disabled-create-jwt.yaml', result, [{ line: 14, col: 15, code: 'unknown_reference', message: /access_token/ }]);
  });
});
