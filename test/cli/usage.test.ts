/**
 * Top-level usage of the built binary: unknown commands and flags exit 2, help exits 0,
 * each command's --help lists its own flags, --version prints the package version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, ROOT, sluice } from './cli.js';

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
    for (const command of ['serve', 'check', 'schema', 'keys generate', 'secret hash', 'secret generate', 'token', 'import fortifiedid']) expect(result.stdout).toContain(command);
  });

  it('CMD --help, CMD -h and help CMD print that command\'s own flags on stdout, exit 0', async () => {
    const flags: Record<string, string[]> = {
      serve: ['-c, --config FILE', '--host', '--port'],
      check: ['-c, --config FILE', '--json'],
      schema: ['-c, --config FILE'],
      keys: ['--alg', '--out', '--password-env'],
      secret: ['hash', 'generate', '--json'],
      token: ['--issuer', '--client-id', '--secret-env', '--scope', '--resource', '--auth', '--json'],
      import: ['fortifiedid', '-o, --output OUT', '--force', '--tenant NAME'],
    };
    for (const [command, expected] of Object.entries(flags)) {
      const results = await Promise.all([sluice([command, '--help']), sluice([command, '-h']), sluice(['help', command])]);
      for (const result of results) {
        expect(result.code, `${command}: ${result.stderr}`).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`^usage: sluice ${command} `));
        for (const flag of expected) expect(result.stdout, command).toContain(flag);
        expect(result.stdout).toBe(results[0]!.stdout);
      }
    }
    // Its own flags only: check's help does not offer serve's --port.
    expect((await sluice(['check', '--help'])).stdout).not.toContain('--port');
  });

  it('a usage error of a command shows that command\'s usage', async () => {
    const result = await sluice(['check', '--port', '80']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage: sluice check /);
  });

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const result of await Promise.all([sluice(['--version']), sluice(['-V'])])) {
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });
});
