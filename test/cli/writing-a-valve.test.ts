/**
 * docs/writing-a-valve.md followed from an empty directory: the checkout packed with
 * `npm pack`, a new project made with `npm init -y` and `npm pkg set type=module`, the
 * guide's files written there, then the guide's own commands: `npx vitest run` (the kit),
 * `npx tsc` (the shipped types), `npx sluice check`, `npx sluice serve` and a token.
 *
 * One honest shortcut: `npm install --save-dev sluice-0.1.0.tgz typescript vitest` needs
 * the registry to resolve dependencies (tests run offline), so the test does what that
 * command leaves behind: the packed tarball unpacked as node_modules/sluice (so only what
 * `files` and `exports` publish is there), its `sluice` bin linked, and the dependencies
 * (sluice's, typescript, vitest) linked from this checkout's node_modules.
 *
 * The files the guide shows are also the example project (docs/examples/tenant-claims),
 * byte for byte, so the example, whose tests `npm test` runs, is what the reader ends with.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, ROOT, serve, sluice, trackedTempDir, type RunResult, type Served } from './cli.js';
import { documentedCommands, documentedFiles, guideUntil } from './guide.js';

const EXAMPLE = join(ROOT, 'docs/examples/tenant-claims');
const walkthrough = guideUntil('The API');
const commands = documentedCommands(walkthrough);
const files = documentedFiles(walkthrough);
const SLOW = 120_000; // npm, tsc and vitest start in child processes: a loaded machine is slow

let project: string;
let bin: string;
let env: Record<string, string>;
let server: Served | undefined;

/** Run a command in the project, as the reader's shell would, with node_modules/.bin on PATH. */
function run(command: string, args: string[]): RunResult {
  try {
    const stdout = execFileSync(command, args, {
      cwd: project,
      // A reader's shell: not this test runner's environment (VITEST_* would steer the child vitest).
      env: { HOME: process.env.HOME ?? '/tmp', PATH: `${join(project, 'node_modules/.bin')}:${process.env.PATH}`, npm_config_update_notifier: 'false', ...env },
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: SLOW,
    });
    return { code: 0, signal: null, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number | null; signal: NodeJS.Signals | null; stdout?: string; stderr?: string };
    return { code: e.status, signal: e.signal, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** What `npm install --save-dev TARBALL typescript vitest` leaves (see the header). */
function installPacked(tarball: string): void {
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'sluice'), { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', join(modules, 'sluice'), '--strip-components=1']);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'sluice' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  mkdirSync(join(modules, '.bin'));
  for (const name of readdirSync(join(ROOT, 'node_modules/.bin'))) symlinkSync(join(ROOT, 'node_modules/.bin', name), join(modules, '.bin', name));
  const manifest = JSON.parse(readFileSync(join(modules, 'sluice/package.json'), 'utf8')) as { bin: Record<string, string> };
  symlinkSync(join('..', 'sluice', manifest.bin.sluice!), join(modules, '.bin/sluice'));
}

beforeAll(() => {
  requireBuild();
  // `npm pack` in the checkout (dist is already built by npm test's pretest).
  const packDir = trackedTempDir();
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir, ROOT], { encoding: 'utf8', timeout: SLOW });
  const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
  // `mkdir tenant-claims && cd tenant-claims`: outside the checkout, no node_modules above it.
  project = join(trackedTempDir(), 'tenant-claims');
  mkdirSync(project);
  expect(relative(ROOT, project).startsWith('..')).toBe(true);
  env = {};
  expect(run('npm', ['init', '-y']).code).toBe(0);
  expect(run('npm', ['pkg', 'set', 'type=module']).code).toBe(0);
  installPacked(tarball);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(project, name)), { recursive: true });
    writeFileSync(join(project, name), content);
  }
  const exported = commands.map((c) => /^export (\w+)=(\S+)$/.exec(c)).find(Boolean)!;
  env = { [exported[1]!]: exported[2]! };
  bin = join(project, 'node_modules/.bin/sluice');
}, SLOW);

afterAll(() => {
  server?.kill();
  removeTempDirs();
});

describe('docs/writing-a-valve.md, from an empty directory', () => {
  it('the guide runs exactly the commands this test runs', () => {
    expect(commands).toEqual([
      'git clone https://github.com/YOUR-ORG/sluice.git ~/src/sluice',
      'cd ~/src/sluice && npm install && npm pack',
      'mkdir tenant-claims && cd tenant-claims',
      'npm init -y',
      'npm pkg set type=module',
      'npm install --save-dev ~/src/sluice/sluice-0.1.0.tgz typescript@~5.9 vitest@^4',
      'npx vitest run',
      'npx tsc',
      'export REPORTS_SECRET=reports-secret-0123456789',
      'npx sluice check',
      'npx sluice serve',
      'curl -s -u reports:reports-secret-0123456789 -d grant_type=client_credentials http://127.0.0.1:8080/token',
    ]);
  });

  it('the files it shows are the example project, byte for byte', () => {
    expect(Object.keys(files).sort()).toEqual(['sluice.yaml', 'src/tenant-claims.ts', 'test/tenant-claims.test.ts', 'tsconfig.json']);
    for (const [name, content] of Object.entries(files)) expect(content, name).toBe(readFileSync(join(EXAMPLE, name), 'utf8'));
  });

  it('the package ships the types and the test kit', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/sluice/package.json'), 'utf8')) as { exports: Record<string, { types: string }> };
    for (const entry of ['.', './testing']) {
      expect(readFileSync(join(project, 'node_modules/sluice', manifest.exports[entry]!.types), 'utf8')).toMatch(/export/);
    }
  });

  it('npx vitest run: the kit runs the tests against the installed package', () => {
    const result = run('npx', ['vitest', 'run']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/5 passed/);
  }, SLOW);

  it('npx tsc: the valve type-checks against the shipped .d.ts and compiles to dist/', () => {
    const result = run('npx', ['tsc']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(readFileSync(join(project, 'dist/tenant-claims.js'), 'utf8')).toMatch(/from 'sluice'/);
  }, SLOW);

  it('a wrong config key does not compile: the config type comes from the schema', () => {
    const source = readFileSync(join(project, 'src/tenant-claims.ts'), 'utf8');
    writeFileSync(join(project, 'src/typo.ts'), source.replace('flow.claims[config.claim]', 'flow.claims[config.claimm]'));
    const result = run('npx', ['tsc', '--noEmit']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/src\/typo\.ts.*Property 'claimm' does not exist/);
    execFileSync('rm', [join(project, 'src/typo.ts')]);
  }, SLOW);

  it('npx sluice check: valid, and a token from npx sluice serve carries the tenant', async () => {
    const check = await sluice(['check'], { cwd: project, env, bin, timeoutMs: SLOW });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^sluice\.yaml: valid /m);
    server = await serve(undefined, { cwd: project, env, bin });
    const curl = commands.find((c) => c.startsWith('curl '))!;
    const [id, secret] = /-u (\S+)/.exec(curl)![1]!.split(':');
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    const { payload } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url });
    expect(payload).toMatchObject({ tenant: 'acme', client_id: 'reports', scope: 'reports.read' });
  }, SLOW);
});
