/**
 * `sluice check` warns about keys that load but hurt in operation (issue 15): a signing
 * keystore with publish: false, and a key file whose certificate expires within 30 days.
 * The config stays valid (exit 0); each warning is a FILE:LINE:COL line at the keystore.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { certifiedKey } from '../keystores/certified-key.js';
import { positionOf } from '../helpers/positions.js';
import { checkBoth, removeTempDirs, requireBuild, trackedTempDir } from './cli.js';

const CONFIG = `keystores:
  - { id: signing, type: pem, path: expiring.pem }
  - { id: hidden, type: pem, path: expiring.pem, kid: hidden, publish: false }
rps:
  - client_id: svc
    client_secret_hash: "$sha256$kjKWktbu6NR1N0zIwvXNzw$H4oZXa2w_tnmo1f1tqZzx6IPMdYLd7hsiWEnwmTARFQ"
    client_credentials_pipe_id: p
  - client_id: other
    client_secret_hash: "$sha256$kjKWktbu6NR1N0zIwvXNzw$H4oZXa2w_tnmo1f1tqZzx6IPMdYLd7hsiWEnwmTARFQ"
    client_credentials_pipe_id: q
pipes:
  - id: p
    valves:
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
  - id: q
    valves:
      - { name: CreateJwt, config: { keystore: hidden } }
      - name: TokenResponse
`;

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = trackedTempDir();
  writeFileSync(join(dir, 'expiring.pem'), certifiedKey(10, 'expiring').pem);
  writeFileSync(join(dir, 'sluice.yaml'), CONFIG);
});
afterAll(removeTempDirs);

it('warns at the unpublished signing key and at each key file whose certificate expires within 30 days; still valid', async () => {
  const { text, json, report } = await checkBoth('sluice.yaml', { cwd: dir });
  expect(text.code, text.stdout).toBe(0);
  expect(json.code).toBe(0);
  const expected = [
    { ...positionOf(CONFIG, 'expiring.pem', 1), code: 'certificate_expiring' },
    { ...positionOf(CONFIG, 'expiring.pem', 2), code: 'certificate_expiring' },
    { ...positionOf(CONFIG, 'false'), code: 'keystore_unpublished' },
  ];
  expect(report.diagnostics.map(({ line, col, severity, code }) => ({ line, col, severity, code }))).toEqual(expected.map((e) => ({ ...e, severity: 'warning' })));
  for (const e of expected) expect(text.stdout).toMatch(new RegExp(`^sluice\\.yaml:${e.line}:${e.col}: warning: `, 'm'));
  expect(report.diagnostics[0]!.message).toMatch(/CN=expiring.*expires on \d{4}-\d\d-\d\d \(in (9|10) days\)/);
  expect(report.diagnostics[2]!.message).toMatch(/'hidden'.*'q'/);
});
