/**
 * `sluice check` on pipes that call pipes: an unknown pipe (with a did-you-mean) and a cycle
 * are errors at FILE:LINE:COL of the id, exit 1; an invalid AssertValue pattern too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { positionOf } from '../helpers/positions.js';
import { checkBoth, expectErrors, requireBuild } from './cli.js';

const CONFIG = `keystores:
  - id: signing
    type: generated
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: main
pipes:
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: comon }
      - name: PipeCall
        config: { pipe: loop-a }
      - name: AssertValue
        config: { value: "\${client.client_id}", matches: "(s+v)*" }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
  - id: common
    valves:
      - name: ClaimsSet
        config: { claims: { team: orders } }
  - id: loop-a
    valves:
      - name: PipeCall
        config: { pipe: loop-b }
  - id: loop-b
    valves:
      - name: PipeCall
        config: { pipe: loop-a }
`;

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-call-'));
  writeFileSync(join(dir, 'pipe-call.yaml'), CONFIG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sluice check: PipeCall', () => {
  it('an unknown pipe, a cycle and a ReDoS pattern: exit 1, one error at each', async () => {
    const at = (needle: string, occurrence = 1) => positionOf(CONFIG, needle, occurrence);
    const result = await checkBoth('pipe-call.yaml', { cwd: dir, env: { SVC_SECRET: 'svc-secret-0123456789' } });
    expectErrors('pipe-call.yaml', result, [
      { ...at('comon'), code: 'unknown_pipe', message: /did you mean 'common'/ },
      { ...at('"(s+v)*"'), code: 'valve_config' },
      { ...at('loop-b }'), code: 'valve_config', message: /loop-a -> loop-b -> loop-a/ },
      { ...at('loop-a }', 2), code: 'valve_config', message: /loop-b -> loop-a -> loop-b/ },
    ]);
  });
});
