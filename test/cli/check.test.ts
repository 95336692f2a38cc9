/**
 * `sluice check [FILE] [--json]` through the built binary: exit codes, and every problem
 * reported once as `FILE:LINE:COL: error: MESSAGE` at the YAML node it is about.
 * Positions are computed from the fixtures in test/cli/fixtures/ (1-based line and column).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, diagnosticLines, expectErrors, fixtureDir, format, removeTempDirs, requireBuild, sluice, type Expected } from './cli.js';
import { checkInProcess } from './in-process.js';

let dir: string;
const ENV = { ALPHA_SECRET: 'alpha-secret-0123456789', ORDERS_SECRET: 'orders-secret-0123456789' };

beforeAll(async () => {
  requireBuild();
  dir = fixtureDir();
  // The encrypted key the wrong-password fixtures point at (right password: right-password).
  const generated = await sluice(['keys', 'generate', '--alg', 'ES256', '--out', 'encrypted.pem', '--password-env', 'SLUICE_KEYSTORE_PASSWORD'], {
    cwd: dir,
    env: { SLUICE_KEYSTORE_PASSWORD: 'right-password' },
  });
  expect(generated.code, generated.stderr).toBe(0);
});
afterAll(removeTempDirs);

describe.concurrent('sluice check: a valid config', () => {
  it('exits 0; warnings are FILE:LINE:COL: warning: lines', async () => {
    const result = await checkBoth('valid.yaml', { cwd: dir, env: ENV });
    expect(result.text.code, result.text.stdout + result.text.stderr).toBe(0);
    expect(result.json.code).toBe(0);
    expect(result.report).toMatchObject({ file: 'valid.yaml', valid: true });
    // The generated keystore is for development only: a warning at its `type: generated` (5:11).
    expect(result.report.diagnostics).toEqual([
      expect.objectContaining({ file: 'valid.yaml', line: 5, col: 11, severity: 'warning', code: 'keystore_invalid' }),
    ]);
    expect(diagnosticLines(result.text.stdout)).toEqual(result.report.diagnostics.map(format));
    expect(result.text.stdout).toMatch(/^valid\.yaml:5:11: warning: /m);
    expect(result.text.stdout).not.toMatch(/: error: /);
  });

  it('checks the embedded default config when no FILE is given', async () => {
    const result = await sluice(['check']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/: error: /);
  });

  it('a config path that does not exist is an error at 1:1, exit 1', async () => {
    const result = await checkBoth('no-such-config.yaml', { cwd: dir });
    expectErrors('no-such-config.yaml', result, [{ line: 1, col: 1, code: 'file_unreadable' }]);
  });
});

/** One problem per fixture: where it must be reported, with which code. */
const CASES: Array<{ name: string; file: string; env?: Record<string, string>; errors: Expected[]; spawned?: true }> = [
  {
    name: 'unknown valve: at the name value, with a hint',
    file: 'unknown-valve.yaml',
    errors: [{ line: 12, col: 15, code: 'unknown_valve', message: /ScopeChek.*did you mean 'ScopeCheck'/ }],
  },
  {
    name: 'unknown pipe id: at the client_credentials_pipe_id value',
    file: 'unknown-pipe.yaml',
    errors: [{ line: 7, col: 33, code: 'unknown_pipe', message: /m2m-jwtt/ }],
  },
  {
    name: "unknown keystore: at CreateJwt's config.keystore value",
    file: 'unknown-keystore.yaml',
    errors: [{ line: 13, col: 21, code: 'unknown_keystore', message: /signer/ }],
  },
  {
    name: "wrong type in a valve's config: at the jwt_ttl value",
    file: 'valve-config-type.yaml',
    errors: [{ line: 14, col: 20, code: 'schema', message: /jwt_ttl/ }],
  },
  {
    // Reported once: the empty string it stands for must not also fail the schema.
    name: 'missing env var: at the ${env.NOPE} node, once',
    file: 'missing-env.yaml',
    errors: [{ line: 6, col: 20, code: 'missing_env', message: /NOPE/ }],
  },
  {
    name: 'unreadable key file: at the keystore path value',
    file: 'unreadable-key.yaml',
    errors: [{ line: 4, col: 11, code: 'file_unreadable', message: /no-such-key\.pem/ }],
  },
  {
    name: 'wrong keystore password: at the password node',
    file: 'wrong-password.yaml',
    env: { SLUICE_KEYSTORE_PASSWORD: 'not-the-password' },
    errors: [{ line: 6, col: 15, code: 'keystore_password' }],
  },
  {
    name: 'duplicate client_id: at the second one',
    file: 'duplicate-client.yaml',
    errors: [{ line: 11, col: 16, code: 'duplicate_id', message: /alpha/ }],
  },
  {
    name: "unknown key in an rp (scope for scopes): at the KEY, with 'did you mean'",
    file: 'unknown-key-rp.yaml',
    errors: [{ line: 7, col: 5, code: 'schema', message: /'scope'.*did you mean 'scopes'/ }],
  },
  {
    name: "unknown key in a valve config (jwt_tll): at the KEY, with 'did you mean'",
    file: 'unknown-key-valve.yaml',
    errors: [{ line: 14, col: 11, code: 'schema', message: /'jwt_tll'.*did you mean 'jwt_ttl'/ }],
  },
  {
    name: "a schema error in one keystore does not make the others 'unknown'",
    file: 'keystore-typo.yaml',
    errors: [{ line: 6, col: 5, code: 'schema', message: /'pth'.*did you mean 'path'/ }],
  },
  {
    name: 'a typo at the top level is reported, with a hint, and does not hide the other problems',
    file: 'root-typo.yaml',
    errors: [
      { line: 1, col: 1, code: 'schema', message: /'isuer'.*did you mean 'issuer'/ },
      { line: 12, col: 15, code: 'unknown_valve', message: /CreateJWT.*did you mean 'CreateJwt'/ },
    ],
  },
  {
    name: 'YAML syntax error: where the parser stops',
    file: 'syntax-error.yaml',
    spawned: true, // the load stops at the parser: its own path to the command's output
    errors: [{ line: 5, col: 16, code: 'yaml_syntax' }],
  },
  {
    name: 'duplicate YAML keys: each repeated key, all reported',
    file: 'duplicate-key.yaml',
    errors: [
      { line: 7, col: 5, code: 'yaml_syntax' },
      { line: 10, col: 5, code: 'yaml_syntax' },
    ],
  },
];

// In-process (test/cli/in-process.ts): the same load and the same diagnostic lines as the
// command, without starting two processes per fixture. The built binary runs the YAML
// syntax error, and broken.yaml below, which has the other problems in one file.
describe.concurrent('sluice check: one problem per file', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      if (c.spawned) {
        expectErrors(c.file, await checkBoth(c.file, { cwd: dir, env: { ...ENV, ...c.env } }), c.errors);
        return;
      }
      const file = join(dir, c.file);
      expectErrors(file, await checkInProcess(file, { env: { ...ENV, ...c.env } }), c.errors);
    });
  }
});

describe.concurrent('sluice check: many problems in one file', () => {
  // broken.yaml has one of each problem; all are reported in one run, one line each.
  const BROKEN: Expected[] = [
    { line: 6, col: 11, code: 'file_unreadable', message: /no-such-key\.pem/ },
    { line: 10, col: 15, code: 'keystore_password' },
    { line: 16, col: 15, code: 'missing_env', message: /NOPE/ },
    { line: 19, col: 33, code: 'unknown_pipe', message: /no-such-pipe/ },
    { line: 20, col: 16, code: 'duplicate_id', message: /alpha/ },
    { line: 25, col: 5, code: 'schema', message: /'scope'.*did you mean 'scopes'/ },
    { line: 31, col: 15, code: 'unknown_valve', message: /ScopeCheckk/ },
    { line: 34, col: 21, code: 'unknown_keystore', message: /nowhere/ },
    { line: 41, col: 20, code: 'schema', message: /jwt_ttl/ },
    { line: 47, col: 11, code: 'schema', message: /'jwt_tll'.*did you mean 'jwt_ttl'/ },
  ];

  it('reports every problem, one line each, exit 1', async () => {
    const result = await checkBoth('broken.yaml', { cwd: dir, env: ENV });
    expectErrors('broken.yaml', result, BROKEN);
  });

  it('an absolute FILE is echoed as given in every line', async () => {
    const file = join(dir, 'broken.yaml');
    const result = await sluice(['check', file], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    const lines = diagnosticLines(result.stdout);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.startsWith(`${file}:`)).toBe(true);
  });
});

describe.concurrent('sluice check: usage errors exit 2', () => {
  const usage: Array<[string, string[]]> = [
    ['two positional files', ['check', 'valid.yaml', 'broken.yaml']],
    ['an unknown flag', ['check', 'valid.yaml', '--bogus']],
    ['two files with --json', ['check', '--json', 'valid.yaml', 'broken.yaml']],
  ];
  for (const [name, args] of usage) {
    it(name, async () => {
      const result = await sluice(args, { cwd: dir, env: ENV });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^sluice: /);
      expect(result.stderr).toMatch(/usage: sluice/);
    });
  }
});
