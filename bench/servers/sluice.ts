/** Sluice under test: `node dist/engine/cli/main.js serve CONFIG`, as a user starts it. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer, type ServerProcess } from './process.js';

/** The checkout: this file runs as bench/.out/servers/sluice.js. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(REPO_ROOT, 'dist/engine/cli/main.js');

export interface SluiceStart {
  name: string;
  config: string;
  port: number;
  workDir: string;
  logsDir: string;
  env?: Record<string, string>;
  /** e.g. ['--workers', '2'] */
  serveArgs?: string[];
  /** Write a V8 CPU profile of the server into this directory when it stops. */
  profileDir?: string;
}

export async function startSluice(start: SluiceStart): Promise<ServerProcess> {
  const file = join(start.workDir, `${start.name}.yaml`);
  writeFileSync(file, start.config);
  return spawnServer({
    name: start.name,
    args: [...profileFlags(start), CLI, 'serve', file, ...(start.serveArgs ?? [])],
    port: start.port,
    readyPath: '/jwks',
    stderrFile: join(start.logsDir, `${start.name}.stderr.log`),
    env: { NODE_ENV: 'production', ...start.env },
  });
}

/**
 * node's --cpu-prof flags. Cluster workers inherit them, so under --workers one file name
 * would be written by every process in turn (the primary, idle, last): there each process
 * writes its own file, named by node (with its pid), into a directory named after the server.
 */
function profileFlags(start: SluiceStart): string[] {
  if (!start.profileDir) return [];
  if (start.serveArgs?.includes('--workers')) return ['--cpu-prof', '--cpu-prof-dir', join(start.profileDir, start.name)];
  return ['--cpu-prof', '--cpu-prof-dir', start.profileDir, '--cpu-prof-name', `${start.name}.cpuprofile`];
}

function cli(args: string[], input?: string): string {
  return execFileSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
}

/** A generated secret with its `$sha256$` hash, and the same secret's `$scrypt$` hash, from the CLI. */
export function makeSecrets(): { secret: string; sha256Hash: string; scryptHash: string } {
  const { secret, hash } = JSON.parse(cli(['secret', 'generate', '--json'])) as { secret: string; hash: string };
  return { secret, sha256Hash: hash, scryptHash: cli(['secret', 'hash'], secret).trim() };
}

/** `serve --workers` arrives with issue 14; until then the row says so instead of failing. */
export function serveHasWorkersFlag(): boolean {
  return cli(['serve', '--help']).includes('--workers');
}
