/**
 * `sluice import fortifiedid`: FortifiedID's OIDC module (two client_credentials RPs, one
 * authorization-code RP) and pipes module (the documented pipe, a pipe with a valve Sluice
 * lacks) → a Sluice YAML on stdout, what was left out on stderr at FILE:LINE:COL in the
 * inputs, exit codes; the module wrappers accepted; bad files, -o, tenants.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { positionOf } from '../helpers/positions.js';
import { diagnosticLines, FIXTURES, removeTempDirs, requireBuild, sluice, trackedTempDir } from './cli.js';

const OIDC = readFileSync(join(FIXTURES, 'fortifiedid/oidc-module.json'), 'utf8');
const PIPES = readFileSync(join(FIXTURES, 'fortifiedid/pipes-module.json'), 'utf8');
const SECRETS = ['svc-secret-0123456789', 'webapp-secret-0123456789', 'directory-secret-0123456789', 'supersecret'];

let dir: string;
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return name;
};
const run = (args: string[]) => sluice(['import', 'fortifiedid', ...args], { cwd: dir });
/** `import fortifiedid oidc-module.json pipes-module.json`, run once: three tests read its output. */
let both: ReturnType<typeof run> | undefined;
const runBoth = () => (both ??= run(['oidc-module.json', 'pipes-module.json']));
/** The warning line expected at `needle` (occurrence n) of `text`, as FILE:LINE:COL: warning: */
const at = (file: string, text: string, needle: string, n = 1): string => {
  const { line, col } = positionOf(text, needle, n);
  return `${file}:${line}:${col}: warning: `;
};

beforeAll(() => {
  requireBuild();
  dir = trackedTempDir(join(FIXTURES, 'fortifiedid'));
});
afterAll(removeTempDirs);

// Concurrent (two tests at a time, vitest's maxConcurrency), and runs side by side where
// they are independent: each `sluice` spawned spends most of its time starting up.
describe.concurrent('sluice import fortifiedid: what comes over', () => {
  it('an OIDC module and a pipes module: the client_credentials RP and the runnable pipes, unchanged; exit 0', async () => {
    const result = await runBoth();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.startsWith('# Imported from FortifiedID by `sluice import fortifiedid` from: oidc-module.json, pipes-module.json\n')).toBe(true);
    const config = parse(result.stdout) as Record<string, unknown>;
    const input = JSON.parse(PIPES) as { config: { pipes: unknown[] } };
    expect(config).toEqual({
      issuer: '${env.SLUICE_ISSUER}',
      server: { port: 8080 },
      oidc: { discovery_meta: { token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'] } },
      keystores: [{ id: 'oidc', type: 'pkcs12', path: 'keystore.p12', password: 'supersecret', alias: 'jwt' }],
      rps: [{ client_id: 'svc', client_secret: 'svc-secret-0123456789', client_credentials_pipe_id: 'client_credentials_pipe' }],
      // The documented pipe and the FlowFail one as written; ldap_pipe is left out.
      pipes: [input.config.pipes[0], input.config.pipes[2]],
    });
  });

  it('lists what was not carried over at FILE:LINE:COL in the inputs, never a secret', async () => {
    const result = await runBoth();
    const lines = diagnosticLines(result.stderr);
    const expected = [
      at('oidc-module.json', OIDC, '"http_context"'), // the issuer is to be set
      at('oidc-module.json', OIDC, '"required_request_parameters"'),
      at('oidc-module.json', OIDC, '"supersecret"'), // keystore password in clear
      at('oidc-module.json', OIDC, '"svc-secret-0123456789"'), // client_secret in clear
      at('oidc-module.json', OIDC, '"access_token_claims"'),
      at('oidc-module.json', OIDC, '"webapp"'), // authorization-code RP
      at('oidc-module.json', OIDC, '"ldap_pipe"'), // RP whose pipe was left out
      at('pipes-module.json', PIPES, '"LdapSearch"'),
    ];
    expect(lines).toHaveLength(expected.length);
    expected.forEach((prefix, i) => expect(lines[i]!.startsWith(prefix), lines[i]).toBe(true));
    expect(lines[0]).toContain('SLUICE_ISSUER');
    expect(lines[5]).toMatch(/client_credentials_pipe_id/);
    expect(lines[7]).toMatch(/LdapSearch.*ldap_pipe/);
    for (const secret of SECRETS) expect(result.stderr).not.toContain(secret);
    // The header repeats the list (the file outlives stderr).
    for (const line of lines) expect(result.stdout).toContain(`#   ${line}\n`);
  });

  it('the same modules in one file ({"modules": [...]}), as a list, or as bare configs: the same config', async () => {
    const oidc = JSON.parse(OIDC) as { name: string; config: Record<string, unknown> };
    const pipes = JSON.parse(PIPES) as { name: string; config: Record<string, unknown> };
    const body = (stdout: string) => parse(stdout) as unknown;
    const reference = body((await runBoth()).stdout);
    const shapes = [
      [write('whole.json', JSON.stringify({ modules: [{ name: 'HttpModule', config: { port: 8080 } }, oidc, pipes] }, null, 2))],
      [write('list.json', JSON.stringify([pipes, oidc]))],
      [write('bare-oidc.json', JSON.stringify(oidc.config)), write('bare-pipes.json', JSON.stringify(pipes.config))],
    ];
    const results = await Promise.all(shapes.map(run));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(body(result.stdout)).toEqual(reference);
    }
    // A module that is neither is named (it is not carried over).
    const whole = results[0]!;
    expect(diagnosticLines(whole.stderr)[0]).toMatch(/^whole\.json:4:\d+: warning: module 'HttpModule' is neither/);
  });
});

// Not concurrent: the usage case alone runs five processes side by side.
describe('sluice import fortifiedid: failures', () => {
  it('invalid JSON: an error at FILE:LINE:COL, nothing written, exit 1', async () => {
    const text = '{\n  "rps": [\n    { "client_id": "svc", }\n  ]\n}\n';
    const result = await run([write('bad.json', text), 'pipes-module.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const { line, col } = positionOf(text, '}', 1);
    expect(diagnosticLines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`^bad\\.json:${line}:${col}: error: invalid JSON`))]);
  });

  it('a missing file: an error naming it, exit 1', async () => {
    const result = await run(['missing.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(diagnosticLines(result.stderr)).toEqual(['missing.json:1:1: error: cannot read the file (ENOENT)']);
  });

  it('nothing Sluice can run (an authorization-code RP only, no pipes): exit 1', async () => {
    const result = await run([write('authcode.json', JSON.stringify({ rps: [{ client_id: 'web', redirect_uri: ['https://x/cb'] }] }))]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/nothing could be carried over/);
  });

  it('usage errors exit 2', async () => {
    const usages = [['import'], ['import', 'keycloak', 'x.json'], ['import', 'fortifiedid'], ['import', 'fortifiedid', 'x.json', '--bogus'], ['import', 'fortifiedid', 'x.json', '--force']];
    const results = await Promise.all(usages.map((args) => sluice(args, { cwd: dir })));
    for (const [i, result] of results.entries()) {
      expect(result.code, usages[i]!.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/usage: sluice import fortifiedid/);
    }
  }, 60_000); // five processes
});

describe.concurrent('sluice import fortifiedid: -o and tenants', () => {
  it('-o writes the file; an existing one is refused (exit 1, untouched) unless --force', async () => {
    const first = await run(['oidc-module.json', 'pipes-module.json', '-o', 'out.yaml']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    const written = readFileSync(join(dir, 'out.yaml'), 'utf8');
    expect(written).toMatch(/^# Imported from FortifiedID/);
    expect(written).toContain('sluice check out.yaml');
    writeFileSync(join(dir, 'out.yaml'), 'keep me\n');
    const refused = await run(['oidc-module.json', 'pipes-module.json', '-o', 'out.yaml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/out\.yaml exists; use --force/);
    expect(readFileSync(join(dir, 'out.yaml'), 'utf8')).toBe('keep me\n');
    const forced = await run(['oidc-module.json', 'pipes-module.json', '-o', 'out.yaml', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'out.yaml'), 'utf8')).toBe(written);
  });

  it('several OIDC modules: an error at each without --tenant (exit 1); --tenant picks one, the other is listed; an unknown tenant is a usage error', async () => {
    const tenant = (path: string, client: string) => ({ name: 'OIDCModule', config: { tenant_op_path: path, rps: [{ client_id: client, client_secret: '${env.S}', client_credentials_pipe_id: 'client_credentials_pipe' }] } });
    const text = JSON.stringify({ modules: [tenant('tenant1', 'one'), tenant('/tenant2/', 'two'), JSON.parse(PIPES)] }, null, 2);
    write('tenants.json', text);
    const [ambiguous, chosen, unknown] = await Promise.all([run(['tenants.json']), run(['tenants.json', '--tenant', 'tenant2']), run(['tenants.json', '--tenant', 'nope'])]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stdout).toBe('');
    const errors = diagnosticLines(ambiguous.stderr).filter((l) => l.includes(': error: '));
    expect(errors.map((l) => l.split(': error: ')[0])).toEqual(
      [positionOf(text, '"config"', 1), positionOf(text, '"config"', 2)].map(({ line, col }) => `tenants.json:${line}:${col + 10}`),
    );
    expect(errors[0]).toMatch(/--tenant/);

    expect(chosen.code, chosen.stderr).toBe(0);
    expect((parse(chosen.stdout) as { rps: Array<{ client_id: string }> }).rps.map((r) => r.client_id)).toEqual(['two']);
    expect(chosen.stderr).toMatch(/warning: tenant 'tenant1' is not carried over/);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/tenant1, tenant2/);
  });
});
