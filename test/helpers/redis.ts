/**
 * A real redis-server for tests (Debian package redis-server; .ci/run installs it): on a
 * free port on 127.0.0.1, nothing saved to disk, stopped after. `stop()` and `start()`
 * take it away and bring it back on the same port (an outage); `pause()`/`resume()`
 * freeze it with SIGSTOP (a Redis that accepts bytes and never answers).
 *
 * The same binary also runs as a one-node Cluster (`mode: 'cluster'`, every slot on this
 * node) or as a Sentinel watching another server (`RedisServer.sentinelFor`), so that the
 * store's Cluster and Sentinel forms meet a real server too.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, tempDir } from './sluice.js';

/** The master name a sentinel from `sentinelFor` watches. */
export const SENTINEL_MASTER = 'sluice-test';

type Mode = { kind: 'plain'; password?: string } | { kind: 'cluster' } | { kind: 'sentinel'; masterPort: number };

export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = tempDir();

  private constructor(readonly port: number, private readonly mode: Mode) {}

  /** Start a new server on a free port (`cluster`: a one-node Redis Cluster; `password`: requirepass). */
  static async start(options: { cluster?: boolean; password?: string } = {}): Promise<RedisServer> {
    return RedisServer.startAs(options.cluster ? { kind: 'cluster' } : { kind: 'plain', ...(options.password ? { password: options.password } : {}) });
  }

  /** A Sentinel watching `master` under the name SENTINEL_MASTER. */
  static async sentinelFor(master: RedisServer): Promise<RedisServer> {
    return RedisServer.startAs({ kind: 'sentinel', masterPort: master.port });
  }

  private static async startAs(mode: Mode): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await freePort(), mode);
      try {
        await server.start();
        return server;
      } catch (error) {
        if (attempt >= 3) throw error; // the free port was taken meanwhile: try another
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await answers(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${this.port}:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (this.mode.kind === 'cluster') await this.takeAllSlots(deadline);
  }

  private async takeAllSlots(deadline: number): Promise<void> {
    const cli = (...args: string[]) => promisify(execFile)('redis-cli', ['-p', String(this.port), ...args]);
    await cli('cluster', 'addslotsrange', '0', '16383');
    while (!(await cli('cluster', 'info')).stdout.includes('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error(`the one-node cluster on port ${this.port} never reached cluster_state:ok`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private args(): string[] {
    const common = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    if (this.mode.kind === 'sentinel') {
      // A sentinel rewrites its config file, so it needs one of its own.
      const file = join(this.dir, 'sentinel.conf');
      writeFileSync(file, `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${this.mode.masterPort} 1\n`);
      return [file, '--sentinel', ...common];
    }
    // A lone node does not know its own address (CLUSTER SLOTS would say ""): announce it.
    const cluster = this.mode.kind === 'cluster' ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, 'nodes.conf'), '--cluster-announce-ip', '127.0.0.1'] : [];
    const password = this.mode.kind === 'plain' && this.mode.password ? ['--requirepass', this.mode.password] : [];
    return [...common, '--save', '', '--appendonly', 'no', ...cluster, ...password];
  }

  /** Stop it and wait until it has exited (the port refuses connections). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGCONT'); // a paused server would never handle SIGTERM
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }
}

/** True when something on the port answers PING with PONG. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    // PONG, or NOAUTH from a server with a password: either way it is up.
    socket.on('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}
