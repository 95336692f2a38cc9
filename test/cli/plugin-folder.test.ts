/**
 * docs/writing-a-valve.md, "The shortest way", followed as a reader would: a folder outside
 * the checkout with the files the guide shows (taken from the guide itself, so the two cannot drift), then
 * `sluice check` and `sluice serve` run there from the checkout's dist/engine/cli/main.js,
 * and a token that carries the plugin's claim. The plugin imports from 'sluice' with
 * nothing installed in its folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, ROOT, serve, sluice, trackedTempDir, type Served } from './cli.js';
import { documentedCommands, documentedFiles, guideSection } from './guide.js';

const section = guideSection('The shortest way');
const commands = documentedCommands(section);
let dir: string;
let env: Record<string, string>;
let server: Served | undefined;

beforeAll(() => {
  requireBuild();
  // `mkdir my-sluice && cd my-sluice`, in a temp dir: outside the checkout, no node_modules above it.
  dir = trackedTempDir();
  expect(relative(ROOT, dir).startsWith('..')).toBe(true);
  const files = documentedFiles(section);
  expect(Object.keys(files).sort()).toEqual(['package.json', 'plugins/team-claims.js', 'sluice.yaml']);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const exported = commands.map((c) => /^export (\w+)=(\S+)$/.exec(c)).find(Boolean);
  expect(exported).toBeTruthy();
  env = { [exported![1]!]: exported![2]! };
});
afterAll(() => {
  server?.kill();
  removeTempDirs();
});

describe('the guide: a plugin folder outside the checkout, nothing installed', () => {
  it('the commands are the ones this test runs', () => {
    expect(commands).toContain('sluice() { node "$SLUICE/dist/engine/cli/main.js" "$@"; }');
    expect(commands).toContain('sluice check');
    expect(commands).toContain('sluice serve');
    expect(commands.some((c) => c.startsWith('curl -s -u reports:') && c.includes('-d grant_type=client_credentials'))).toBe(true);
  });

  it('sluice check (no argument) finds ./sluice.yaml and says it is valid', async () => {
    const result = await sluice(['check'], { cwd: dir, env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^sluice\.yaml: valid /m);
    expect(result.stdout).not.toMatch(/: error: /);
  });

  it("sluice serve there issues a token carrying the plugin's claim", async () => {
    // `sluice serve` as documented; --port only because tests cannot rely on 8080 being free.
    server = await serve(undefined, { cwd: dir, env });
    const curl = commands.find((c) => c.startsWith('curl '))!;
    const [id, secret] = /-u (\S+)/.exec(curl)![1]!.split(':');
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body) + server.stdout()).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(String(body.access_token), jwks, { issuer: server.url });
    expect(payload).toMatchObject({ team: 'payments', client_id: 'reports' });
  });
});
