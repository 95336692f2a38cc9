/**
 * Messages a new user met in the walkthrough (issue 9 follow-up, user 11, 13, 15), through
 * the built binary:
 *  - `plugins: [plugins/team-claims.js]` is a package name to Node; the file exists, so say
 *    that a path starts with ./ or ../;
 *  - an unquoted `${…}` in a flow sequence is a YAML error; hint to quote it;
 *  - `check` counts in the singular for one; a port in use says so and how to choose another.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, sluice, trackedTempDir } from './cli.js';

const ENV = { S: 'secret-0123456789abcdef' };

const CONFIG = (extra = '', audiences = '[https://api.example.com]') => `${extra}
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: "\${env.S}"
    audiences: ${audiences}
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`;

function project(files: Record<string, string>): string {
  const dir = trackedTempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

beforeAll(requireBuild);
afterAll(removeTempDirs);

describe('plugin paths without ./', () => {
  it('says a path must start with ./ when the file exists beside the config', async () => {
    const dir = project({
      'sluice.yaml': CONFIG('plugins: [plugins/team-claims.js]'),
      'plugins/team-claims.js': 'export default [];\n',
    });
    const r = await sluice(['check', 'sluice.yaml'], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^sluice\.yaml:1:11: error: .*a path must start with \.\/ or \.\.\//m);
  });

  it('does not add the hint when no such file exists', async () => {
    const dir = project({ 'sluice.yaml': CONFIG('plugins: [no-such-package]') });
    const r = await sluice(['check', 'sluice.yaml'], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^sluice\.yaml:1:11: error: /m);
    expect(r.stdout).not.toContain('must start with ./');
  });
});

describe('an unquoted ${…} in a flow sequence', () => {
  it('hints to quote it, at the error', async () => {
    const dir = project({ 'sluice.yaml': CONFIG('globals: { api: https://api.example.com }', '[${globals.api}]') });
    const r = await sluice(['check', 'sluice.yaml'], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^sluice\.yaml:6:\d+: error: .*hint: quote values that contain \$\{…\} inside \[ \] or \{ \}/m);
  });

  it('no hint for a syntax error elsewhere', async () => {
    const dir = project({ 'sluice.yaml': CONFIG('globals: { api: [unclosed }') });
    const r = await sluice(['check', 'sluice.yaml'], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('hint: quote');
  });
});

describe('check and serve wording', () => {
  it('check counts one client, one pipe, one keystore in the singular', async () => {
    const dir = project({ 'sluice.yaml': CONFIG() });
    const r = await sluice(['check', 'sluice.yaml'], { cwd: dir, env: ENV });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sluice.yaml: valid (1 client, 1 pipe, 1 keystore)');
  });

  describe('a port in use', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('exits 1 naming the port and how to choose another', async () => {
      const dir = project({ 'sluice.yaml': CONFIG() });
      const r = await sluice(['serve', 'sluice.yaml', '--host', '127.0.0.1', '--port', String(port)], { cwd: dir, env: ENV });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${port} is in use`);
      expect(r.stderr).toContain('--port or server.port');
    });
  });
});
