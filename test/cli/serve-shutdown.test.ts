/**
 * `sluice serve` stopping on SIGTERM, through the built binary: requests in flight finish,
 * new connections are refused, a request still arriving on an open connection gets 503
 * temporarily_unavailable (and /readyz 503 draining), and the process exits 0; a request
 * that never ends is cut at server.shutdown_timeout and the process still exits 0.
 *
 * "In flight" is made real: the pipe's HttpRequest valve calls an upstream in this test
 * that holds each call until the test answers it.
 */
import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { upstream, type Upstream } from '../valves/http-upstream.js';
import { removeTempDirs, requireBuild, serve, trackedTempDir, waitFor, type Served } from './cli.js';
import { logLines } from './workers.js';

const SECRET = 'svc-secret-0123456789';
const FORM = 'grant_type=client_credentials';
const AUTH = `Basic ${Buffer.from(`svc:${SECRET}`).toString('base64')}`;

const config = (upstreamOrigin: string, shutdownTimeout: number) => `
server: { request_timeout: 300, shutdown_timeout: ${shutdownTimeout} }
log: { level: debug }
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: via-directory
pipes:
  - id: via-directory
    valves:
      - name: HttpRequest
        config: { url: "${upstreamOrigin}/team", dest: dir, timeout: 30s }
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { team: "\${state.dir.body.team}" } }
      - name: TokenResponse
`;

const cleanups: Array<() => unknown> = [];
beforeAll(requireBuild);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(removeTempDirs);

/** The upstream holds every call; `answerAll` answers those held so far. */
async function holdingUpstream(): Promise<Upstream & { answerAll(): void }> {
  const held: ServerResponse[] = [];
  const up = await upstream((_seen, res) => held.push(res));
  cleanups.push(() => up.close());
  return Object.assign(up, {
    answerAll: () => {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"team":"blue"}');
    },
  });
}

async function serveWith(up: Upstream, shutdownTimeout: number, extraArgs: string[] = []): Promise<Served> {
  const dir = trackedTempDir();
  writeFileSync(join(dir, 'sluice.yaml'), config(up.origin, shutdownTimeout));
  const server = await serve('sluice.yaml', { cwd: dir, env: { SVC_SECRET: SECRET }, extraArgs, startTimeoutMs: 60_000 });
  cleanups.push(() => server.kill());
  return server;
}

/** A raw keep-alive connection: requests are written as they come, answers collected until it closes. */
function rawConnection(url: string): { socket: Socket; send(head: string, body?: string): void; closed: Promise<string> } {
  const { port } = new URL(url);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  let received = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.on('error', () => {});
  return {
    socket,
    // `head`: the request line and/or header lines, without the final blank line.
    send: (head, body = '') => socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`),
    closed,
  };
}

const tokenRequest = (c: ReturnType<typeof rawConnection>) =>
  c.send(`POST /token HTTP/1.1\r\nAuthorization: ${AUTH}\r\nContent-Type: application/x-www-form-urlencoded`, FORM);

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Split what a connection received into its HTTP/1.1 answers (every Sluice answer has a Content-Length). */
function answers(raw: string): RawAnswer[] {
  const out: RawAnswer[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    const [statusLine, ...headerLines] = rest.slice(0, headEnd).split('\r\n');
    const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length']);
    const body = rest.slice(headEnd + 4, headEnd + 4 + length);
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> });
    rest = rest.slice(headEnd + 4 + length);
  }
  return out;
}

/** Resolves once a new connection to `url` is refused (the listener is closed). */
async function refusesConnections(url: string): Promise<void> {
  const { port } = new URL(url);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('new connections were still accepted');
}

describe('sluice serve: SIGTERM drains', () => {
  it('a request in flight finishes 200 (then its connection closes); new connections are refused; a request arriving on an open connection gets 503; exit 0', async () => {
    const up = await holdingUpstream();
    const server = await serveWith(up, 30);
    // Two connections in the middle of sending a request (its first line) when the drain
    // starts: not idle, so not closed; their requests arrive during the drain. Written
    // before the request in flight, so the server has read them by the time that one
    // reaches the upstream.
    const lateToken = rawConnection(server.url);
    const lateProbe = rawConnection(server.url);
    lateToken.socket.write('POST /token HTTP/1.1\r\n');
    lateProbe.socket.write('GET /readyz HTTP/1.1\r\n');
    await Promise.all([lateToken, lateProbe].map((c) => new Promise((r) => c.socket.once('connect', r))));
    const inFlight = rawConnection(server.url);
    tokenRequest(inFlight);
    await up.received(1); // in flight, held by the upstream

    server.child.kill('SIGTERM');
    await waitFor(server.stdout, /"event":"stopping"/, server.exited);
    await refusesConnections(server.url);
    lateToken.send(`Authorization: ${AUTH}\r\nContent-Type: application/x-www-form-urlencoded`, FORM);
    lateProbe.send('Accept: application/json');
    const [token, probe] = [answers(await lateToken.closed), answers(await lateProbe.closed)];
    expect(token).toEqual([expect.objectContaining({ status: 503, headers: expect.objectContaining({ connection: 'close', 'cache-control': 'no-store' }), body: { error: 'temporarily_unavailable', error_description: expect.any(String) } })]);
    expect(probe).toEqual([expect.objectContaining({ status: 503, headers: expect.objectContaining({ connection: 'close', 'cache-control': 'no-store' }) })]);
    expect(probe[0]!.body).toMatchObject({ status: 'not_ready', checks: { serving: 'draining' } });
    expect(server.child.exitCode).toBeNull(); // still draining: the first request is held

    up.answerAll();
    const [done] = answers(await inFlight.closed);
    expect(done).toMatchObject({ status: 200, headers: { connection: 'close' }, body: { token_type: 'Bearer' } });
    expect(done!.body.access_token).toEqual(expect.any(String));
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(logLines(server).find((l) => l.event === 'stopped')).toMatchObject({ connections_cut: 0 });
  }, 60_000);

  it('a request that never ends is cut at server.shutdown_timeout, and the process still exits 0', async () => {
    const up = await holdingUpstream(); // never answered
    const server = await serveWith(up, 1);
    const stuck = rawConnection(server.url);
    tokenRequest(stuck);
    await up.received(1);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await stuck.closed).toBe(''); // closed without an answer
    const lines = logLines(server);
    expect(lines.find((l) => l.event === 'drain_timeout')).toMatchObject({ shutdown_timeout_s: 1, connections_cut: 1 });
    expect(lines.find((l) => l.event === 'stopped')).toMatchObject({ connections_cut: 1 });
  }, 60_000);

  it('--workers 2: the primary forwards SIGTERM; a request in flight at a worker finishes 200; exit 0', async () => {
    const up = await holdingUpstream();
    const server = await serveWith(up, 30, ['--workers', '2']);
    await waitFor(server.stdout, /"event":"workers_ready"/, server.exited, 60_000);
    const inFlight = rawConnection(server.url);
    tokenRequest(inFlight);
    await up.received(1);

    server.child.kill('SIGTERM');
    await waitFor(server.stdout, /"event":"stopping".*"process":"worker"|"process":"worker".*"event":"stopping"/, server.exited);
    up.answerAll();
    const [done] = answers(await inFlight.closed);
    expect(done).toMatchObject({ status: 200, headers: { connection: 'close' } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const stopped = logLines(server).filter((l) => l.event === 'worker_stopped');
    expect(stopped.map((l) => l.code)).toEqual([0, 0]);
  }, 120_000);
});
