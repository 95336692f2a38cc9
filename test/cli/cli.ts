/**
 * Helpers for the CLI tests: they run the BUILT binary (dist/engine/cli/main.js) as a
 * user would, in a temp copy of test/cli/fixtures so that relative key paths and plugins
 * resolve against the config file, and with a minimal environment so that no variable
 * of the developer's shell leaks into `${env.…}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(ROOT, 'dist/engine/cli/main.js');
export const FIXTURES = join(ROOT, 'test/cli/fixtures');

/** For a `beforeAll`: the tests need the built binary (`npm test` builds first). */
export function requireBuild(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does it in pretest)`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (closed empty when absent). */
  input?: string;
  timeoutMs?: number;
  /** The sluice CLI to run (default this checkout's build): an installed copy's, say. */
  bin?: string;
}

function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env };
}

/** Poll `read()` until it holds `pattern` or the process behind it exits (an event, not a timing assertion). */
export async function waitFor(read: () => string, pattern: RegExp, exited?: Promise<unknown>, deadlineMs = 15_000): Promise<string> {
  let done = false;
  void exited?.then(() => (done = true));
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const match = read().match(pattern);
    if (match) return match[0];
    if (done || Date.now() > deadline) throw new Error(`never saw ${pattern} in:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run `sluice ARGS…` to completion. */
export function sluice(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { cwd: options.cwd ?? ROOT, env: childEnv(options.env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the child may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface CheckJson {
  file: string;
  valid: boolean;
  diagnostics: Diagnostic[];
}

/** `sluice check FILE` and `sluice check FILE --json`, side by side. */
export async function checkBoth(file: string, options: RunOptions = {}): Promise<{ text: RunResult; json: RunResult; report: CheckJson }> {
  const [text, json] = await Promise.all([sluice(['check', file], options), sluice(['check', file, '--json'], options)]);
  let report: CheckJson;
  try {
    report = JSON.parse(json.stdout) as CheckJson;
  } catch {
    throw new Error(`check --json did not print JSON (exit ${json.code}):\n${json.stdout}\n${json.stderr}`);
  }
  return { text, json, report };
}

export const format = (d: Diagnostic): string => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;

/** Diagnostic lines (`FILE:LINE:COL: severity: …`) of a text output. */
export function diagnosticLines(output: string): string[] {
  return output.split('\n').filter((l) => /^[^\s:][^:]*:\d+:\d+: (error|warning): /.test(l));
}

export interface Expected {
  line: number;
  col: number;
  code: string;
  /** The message must match (kept loose on purpose: assert codes, not wording). */
  message?: RegExp;
}

/**
 * The errors of one check run are exactly `expected` (in file order), in JSON and in
 * text, one line each with the exact `FILE:LINE:COL: error: ` prefix.
 */
export function expectErrors(file: string, result: { text: RunResult; json: RunResult; report: CheckJson }, expected: Expected[]): void {
  const { text, json, report } = result;
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual(expected.map(({ line, col, code }) => ({ line, col, code })));
  for (const [i, e] of expected.entries()) {
    expect(errors[i]!.file).toBe(file);
    expect(typeof errors[i]!.message).toBe('string');
    if (e.message) expect(errors[i]!.message).toMatch(e.message);
  }
  // Text: the same diagnostics, one line each, and nothing else on stdout.
  const lines = text.stdout.split('\n').filter(Boolean);
  expect(lines).toEqual(report.diagnostics.map(format));
  const errorLines = lines.filter((l) => l.includes(': error: '));
  expect(errorLines).toHaveLength(expected.length);
  for (const [i, e] of expected.entries()) expect(errorLines[i]!.startsWith(`${file}:${e.line}:${e.col}: error: `)).toBe(true);
  expect(report).toMatchObject({ file, valid: false });
  expect(text.code).toBe(1);
  expect(json.code).toBe(1);
}

const tempDirs: string[] = [];

/** A fresh temp copy of test/cli/fixtures. */
export function fixtureDir(): string {
  return trackedTempDir(FIXTURES);
}

/** A fresh temp dir (outside the checkout), with a copy of `from` when given; removed by removeTempDirs. */
export function trackedTempDir(from?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  if (from) cpSync(from, dir, { recursive: true });
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePromise(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Served {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (afterAll safety net). */
  kill(): void;
}

/**
 * `sluice serve -c FILE --port N` (`sluice serve --port N` when FILE is undefined: the
 * config sluice finds by itself), polled until it answers discovery. A free port can be
 * taken by a parallel test before the server binds it: then it tries another.
 */
export interface ServeOptions extends RunOptions {
  extraArgs?: string[];
  /** How long it may take to answer discovery (default 15 s; several workers on a busy machine take longer). */
  startTimeoutMs?: number;
  /** Called as soon as the process is spawned, with its stdout so far (to wait for a log line before it answers). */
  spawned?: (stdout: () => string) => void;
}

export async function serve(file: string | undefined, options: ServeOptions = {}): Promise<Served> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await serveOnce(file, options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function serveOnce(file: string | undefined, options: ServeOptions): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, [options.bin ?? BIN, 'serve', ...(file === undefined ? [] : ['-c', file]), '--port', String(port), ...(options.extraArgs ?? [])], {
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  options.spawned?.(() => stdout);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => {
      done = true;
      r({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const served: Served = { url, child, stdout: () => stdout, stderr: () => stderr, exited, kill: () => void (done || child.kill('SIGKILL')) };
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (done) throw new Error(`sluice serve exited early (${JSON.stringify(await exited)}):\n${stdout}\n${stderr}`);
    try {
      const response = await fetch(`${url}/.well-known/oauth-authorization-server`);
      if (response.ok) return served;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  served.kill();
  throw new Error(`sluice serve did not come up on ${url}:\n${stdout}\n${stderr}`);
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  const part = (s: string | undefined) => JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: part(header), payload: part(payload) };
}

export const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** A one-client config for tests of `serve` itself: client `svc`, its secret from SVC_SECRET. */
export const SVC_SECRET = 'svc-secret-0123456789';
const SVC_CONFIG = `
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: issue
pipes:
  - id: issue
    valves:
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;

/** `sluice serve` of the one-client config, from a fresh directory. */
export function serveOneClient(options: ServeOptions = {}): Promise<Served> {
  const dir = trackedTempDir();
  writeFileSync(join(dir, 'sluice.yaml'), SVC_CONFIG);
  return serve('sluice.yaml', { ...options, cwd: dir, env: { SVC_SECRET, ...options.env } });
}
