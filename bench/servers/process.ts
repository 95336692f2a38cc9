/**
 * A server under test in its own child process. Its CPU and memory are read from /proc
 * (the process and its descendants, so `--workers` counts every worker and the peer's
 * signing threads count too), never reported by the server itself: Sluice runs as a user
 * starts it. Its stdout (the request log) goes to /dev/null, its stderr to a file: the
 * load generator never reads either.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn until GET readyPath answered. */
  readonly startMs: number;
  /** User+system CPU of the process tree so far, microseconds (undefined off Linux). */
  cpuMicros(): number | undefined;
  /** Resident memory of the process tree now, bytes (undefined off Linux). */
  rssBytes(): number | undefined;
  stop(): Promise<void>;
}

export interface SpawnSpec {
  name: string;
  args: string[];
  port: number;
  /** A GET that answers 200 once the server serves, e.g. /jwks. */
  readyPath: string;
  stderrFile: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function spawnServer(spec: SpawnSpec): Promise<ServerProcess> {
  const stderr = openSync(spec.stderrFile, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, spec.args, { stdio: ['ignore', 'ignore', stderr], env: { ...process.env, ...spec.env } });
  closeSync(stderr);
  const url = `http://127.0.0.1:${spec.port}`;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${signal ?? code})`));
  const deadline = started + (spec.startTimeoutMs ?? START_TIMEOUT_MS);
  for (;;) {
    if (exited) throw new Error(`${spec.name} ${exited} before serving; see ${spec.stderrFile}:\n${tail(spec.stderrFile)}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} did not answer within ${spec.startTimeoutMs ?? START_TIMEOUT_MS} ms; see ${spec.stderrFile}`);
    }
    if (await answers(url + spec.readyPath)) break;
    await sleep(20);
  }
  const startMs = performance.now() - started;
  const pid = child.pid!;
  return {
    name: spec.name,
    url,
    pid,
    startMs,
    cpuMicros: () => sumOverTree(pid, cpuMicrosOf),
    rssBytes: () => sumOverTree(pid, rssBytesOf),
    stop: () => stopChild(child),
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** SIGTERM (Sluice drains, and node writes a --cpu-prof profile), SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-15).join('\n') : '';
}

/** 100,000 clients took 21-25 s to start before issue 14; a busy machine takes longer. */
const START_TIMEOUT_MS = 300_000;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture node runs on
const PAGE_BYTES = 4096;

/** /proc/PID/stat fields after the command (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// Field numbers of proc(5) minus 3 (pid and comm are cut off): ppid 4, utime 14, stime 15, rss 24.
function cpuMicrosOf(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

function rssBytesOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[21]) * PAGE_BYTES : undefined;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = Number(statFields(Number(entry))?.[1]);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(Number(entry));
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) for (const child of children.get(queue.shift()!) ?? []) (found.push(child), queue.push(child));
  return found;
}

function sumOverTree(pid: number, read: (pid: number) => number | undefined): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const own = read(pid);
  if (own === undefined) return undefined;
  return descendants(pid).reduce((sum, child) => sum + (read(child) ?? 0), own);
}
