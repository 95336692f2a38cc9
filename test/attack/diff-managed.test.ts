/**
 * Attack review (issue 15): `sluice diff` compares keys by the JWKS each config serves, and
 * a managed keystore's keys live in the store, so a managed keystore's changes were
 * invisible: a new encryption_key (which opens none of the stored keys: the reload is
 * refused) or rotate_every said "No changes", exit 0. Now each changed setting is a line,
 * with its values except encryption_key's, which is never printed.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, sluice, trackedTempDir } from '../cli/cli.js';

const config = (extra: string) => `
keystores: [{ id: k, type: managed, encryption_key: "\${env.EK}"${extra} }]
rps:
  - { client_id: c, client_secret: "\${env.CS}", scopes: [a], client_credentials_pipe_id: p }
pipes:
  - { id: p, valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: k } }, { name: TokenResponse }] }
`;

beforeAll(() => requireBuild());
afterAll(() => removeTempDirs());

describe('sluice diff of a managed keystore (attack review)', () => {
  it('tells a new encryption_key without printing either, and rotate_every with its values', async () => {
    const dir = trackedTempDir();
    const [oldKey, newKey] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    writeFileSync(join(dir, 'old.yaml'), config(''));
    writeFileSync(join(dir, 'new.yaml'), config(', rotate_every: 7d').replace('env.EK', 'env.EK2'));
    const env = { EK: oldKey, EK2: newKey, CS: 'diff-managed-secret-0123456789' };
    const text = await sluice(['diff', 'old.yaml', 'new.yaml'], { cwd: dir, env });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^setting changed: keystores\.k\.encryption_key changed$/m);
    expect(text.stdout).toMatch(/^setting changed: keystores\.k\.rotate_every: none → 7d/m);
    const json = await sluice(['diff', '--json', 'old.yaml', 'new.yaml'], { cwd: dir, env });
    for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      expect(output).not.toContain(oldKey);
      expect(output).not.toContain(newKey);
    }
    expect((JSON.parse(json.stdout) as { settings: unknown[] }).settings).toContainEqual({ setting: 'keystores.k.encryption_key', restart: false });
  });
});
