/**
 * Which config a command uses: `-c FILE`, `--config FILE` or FILE as the argument, the same
 * in check, serve and schema; with none, ./sluice.yaml of the current directory, else the
 * embedded demo, which the command then names. Serving the demo's published secret is
 * warned about loudly (stderr and the JSON log).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDir, removeTempDirs, requireBuild, ROOT, serve, sluice, trackedTempDir, waitFor, type Served } from './cli.js';

const EMBEDDED = join(ROOT, 'config/sluice.yaml');
const ENV = { ORDERS_SECRET: 'orders-secret-0123456789' };
let dir: string;
let empty: string;
const servers: Served[] = [];

beforeAll(() => {
  requireBuild();
  dir = fixtureDir();
  empty = trackedTempDir();
});
afterAll(() => {
  for (const s of servers) s.kill();
  removeTempDirs();
});

/** `serve valid.yaml` (FILE as the argument), started once: two tests read it. */
let positional: Promise<Served> | undefined;
function servePositional(): Promise<Served> {
  return (positional ??= serve(undefined, { cwd: dir, env: ENV, extraArgs: ['valid.yaml'] }).then((served) => {
    servers.push(served);
    return served;
  }));
}

function logLines(served: Served): Array<Record<string, unknown>> {
  return served.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.concurrent('every spelling of the config file', () => {
  it('check takes FILE, -c FILE and --config FILE alike', async () => {
    const results = await Promise.all([
      sluice(['check', 'valid.yaml'], { cwd: dir, env: ENV }),
      sluice(['check', '-c', 'valid.yaml'], { cwd: dir, env: ENV }),
      sluice(['check', '--config', 'valid.yaml'], { cwd: dir, env: ENV }),
      sluice(['check', '--config=valid.yaml', '--json'], { cwd: dir, env: ENV }),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    for (const result of results.slice(0, 3)) expect(result.stdout).toMatch(/^valid\.yaml: valid /m);
    expect(JSON.parse(results[3]!.stdout)).toMatchObject({ file: 'valid.yaml', valid: true });
  });

  it('schema takes FILE and -c FILE alike (plugin valves included)', async () => {
    const env = { TENANT_SECRET: 'tenant-secret-0123456789' };
    const [positional, option] = await Promise.all([sluice(['schema', 'plugin.yaml'], { cwd: dir, env }), sluice(['schema', '-c', 'plugin.yaml'], { cwd: dir, env })]);
    expect(positional.code, positional.stderr).toBe(0);
    expect(positional.stdout).toBe(option.stdout);
    expect(positional.stdout).toContain('TenantClaims');
  });

  it('serve takes FILE as the argument', async () => {
    const served = await servePositional();
    // The server can answer before its log line has crossed the pipe: wait for the line.
    await waitFor(served.stdout, /"event":"listening"/);
    const listening = logLines(served).find((l) => l.event === 'listening');
    expect(listening?.config).toBe('valid.yaml');
  });

  it('two config files (FILE and -c FILE, or two FILEs) are a usage error, exit 2', async () => {
    const results = await Promise.all([
      sluice(['check', 'valid.yaml', '-c', 'valid.yaml'], { cwd: dir, env: ENV }),
      sluice(['check', 'valid.yaml', 'keys.yaml'], { cwd: dir, env: ENV }),
      sluice(['serve', 'valid.yaml', '-c', 'valid.yaml', '--port', '0'], { cwd: dir, env: ENV }),
      sluice(['schema', 'valid.yaml', 'keys.yaml'], { cwd: dir, env: ENV }),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^sluice: /);
    }
  });
});

describe.concurrent('no config named', () => {
  it('check uses ./sluice.yaml of the current directory', async () => {
    const here = trackedTempDir();
    copyFileSync(join(dir, 'valid.yaml'), join(here, 'sluice.yaml'));
    const [text, json] = await Promise.all([sluice(['check'], { cwd: here, env: ENV }), sluice(['check', '--json'], { cwd: here, env: ENV })]);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^sluice\.yaml: valid /m);
    expect(text.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ file: 'sluice.yaml', valid: true });
  });

  it('check without ./sluice.yaml checks the embedded demo and says so on stderr', async () => {
    const result = await sluice(['check'], { cwd: empty });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('embedded demo');
    expect(result.stderr).toContain(EMBEDDED);
    expect(result.stdout).toContain(`${EMBEDDED}: valid`);
  });

  it('serve without ./sluice.yaml serves the demo and warns: stderr, and the JSON log at level warn', async () => {
    const served = await serve(undefined, { cwd: empty });
    servers.push(served);
    expect(served.stderr()).toContain('embedded demo');
    expect(served.stderr()).toMatch(/WARNING: .*demo client 'demo'/);
    await waitFor(served.stdout, /"event":"demo_client"/, served.exited);
    const warning = logLines(served).find((l) => l.event === 'demo_client');
    expect(warning).toMatchObject({ level: 40, clients: ['demo'] });
    expect(served.stdout()).not.toContain('demo-secret');
  });

  it('serve warns the same for a copy of the demo config under another name', async () => {
    const here = trackedTempDir();
    copyFileSync(EMBEDDED, join(here, 'sluice.yaml'));
    const served = await serve(undefined, { cwd: here, env: ENV });
    servers.push(served);
    expect(served.stderr()).not.toContain('embedded demo');
    expect(served.stderr()).toMatch(/WARNING: .*demo client 'demo'/);
  });

  it('serve of an ordinary config does not warn about demo clients', async () => {
    const served = await servePositional();
    expect(served.stderr()).not.toMatch(/demo/);
    expect(logLines(served).some((l) => l.event === 'demo_client')).toBe(false);
  });
});
