/**
 * Plugin valves through the built binary: a config that uses test/cli/fixtures/plugin.mjs
 * (TenantClaims) checks clean; a bad value in the plugin's config is an error at its node;
 * a plugin that fails to import, reuses a built-in name, has a schema ajv cannot compile or
 * no default export is an error at its `plugins:` entry; a plugin whose create() or check()
 * throws is an error at the valve using it, naming the plugin's file.
 * (Serving the plugin, and the tenant claim in the token, is in serve.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, expectErrors, fixtureDir, removeTempDirs, requireBuild, sluice } from './cli.js';

let dir: string;
const ENV = { TENANT_SECRET: 'tenant-secret-0123456789' };

beforeAll(() => {
  requireBuild();
  dir = fixtureDir();
});
afterAll(removeTempDirs);

describe.concurrent('plugins in sluice check', () => {
  it('a config using a plugin valve is valid (exit 0)', async () => {
    const { text, json, report } = await checkBoth('plugin.yaml', { cwd: dir, env: ENV });
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(json.code).toBe(0);
    expect(report.valid).toBe(true);
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it("a bad value in the plugin's config is an error at its node; a typo'd key at the key", async () => {
    const result = await checkBoth('plugin-bad-config.yaml', { cwd: dir, env: ENV });
    expectErrors('plugin-bad-config.yaml', result, [
      { line: 15, col: 19, code: 'schema', message: /tenant/ }, //     tenant: 42
      { line: 19, col: 11, code: 'schema', message: /'tenat'/ }, //    tenat: acme
    ]);
  });

  it('a plugin that fails to import, and one that clashes with a built-in, are errors at their plugins: entries', async () => {
    const result = await checkBoth('plugin-failures.yaml', { cwd: dir, env: ENV });
    expectErrors('plugin-failures.yaml', result, [
      { line: 3, col: 5, code: 'plugin', message: /no-such-plugin\.mjs/ }, //   missing file
      { line: 4, col: 5, code: 'plugin', message: /broken-plugin\.mjs/ }, //    syntax error
      { line: 5, col: 5, code: 'plugin', message: /CreateJwt/ }, //             name clash
    ]);
  });

  it('a bad configSchema and a missing default export at their plugins: entries; a throwing create() or check() at the valve, naming the plugin', async () => {
    const result = await checkBoth('plugin-throws.yaml', { cwd: dir, env: ENV });
    const plugin = /\(in plugin '\.\/throwing-plugin\.mjs'\)$/;
    expectErrors('plugin-throws.yaml', result, [
      { line: 3, col: 5, code: 'plugin', message: /^plugin '\.\/bad-schema-plugin\.mjs': valve 'BadSchema' has an invalid configSchema/ },
      { line: 4, col: 5, code: 'plugin', message: /^plugin '\.\/no-default-plugin\.mjs' has no default export/ },
      { line: 18, col: 9, code: 'valve_config', message: plugin }, //   ThrowsInCreate: throws
      { line: 19, col: 9, code: 'valve_config', message: plugin }, //   RejectsInCreate: async create() rejects
      { line: 20, col: 15, code: 'plugin', message: plugin }, //        ThrowsInCheck
    ]);
    expect(result.report.diagnostics.map((d) => d.message).join('\n')).toMatch(/no directory configured[\s\S]*cannot reach the directory[\s\S]*check exploded/);
  });

  it('serve refuses a config whose plugin does not load (exit 1, same lines on stderr)', async () => {
    const [check, serve] = await Promise.all([
      sluice(['check', 'plugin-failures.yaml'], { cwd: dir, env: ENV }),
      sluice(['serve', '-c', 'plugin-failures.yaml', '--port', '0'], { cwd: dir, env: ENV }),
    ]);
    expect(serve.code).toBe(1);
    expect(serve.stderr.split('\n').filter(Boolean)).toEqual(check.stdout.split('\n').filter(Boolean));
  });
});
