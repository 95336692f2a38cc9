/** Top-level usage of the built binary: unknown commands and flags exit 2, help exits 0. */
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, sluice } from './cli.js';

beforeAll(requireBuild);

describe.concurrent('sluice usage', () => {
  it('an unknown command exits 2 with the usage on stderr', async () => {
    const result = await sluice(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^sluice: unknown command 'frobnicate'/);
    expect(result.stderr).toMatch(/usage: sluice <command>/);
  });

  it('no command exits 2', async () => {
    const result = await sluice([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage: sluice/);
  });

  it('an unknown flag exits 2, whatever the command', async () => {
    const results = await Promise.all([
      sluice(['check', '--bogus']),
      sluice(['schema', '--bogus']),
      sluice(['keys', 'generate', '--bogus']),
      sluice(['token', '--bogus']),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^sluice: .*--bogus/);
    }
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const result = await sluice(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['serve', 'check', 'schema', 'keys generate', 'secret hash', 'token']) expect(result.stdout).toContain(command);
  });
});
