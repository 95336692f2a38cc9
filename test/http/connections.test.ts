/**
 * Connection limits (issue 9 item 5): a token endpoint answers small requests quickly, so
 * it caps concurrent sockets and closes idle keep-alive sockets soon, rather than letting
 * a caller hold thousands of them for fastify's default 72 s.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, serve, type Running } from '../helpers/sluice.js';

let s: Running | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await s?.close();
  s = undefined;
});

function withServer(settings: string): Promise<Running> {
  return serve(BASIC_CONFIG.replace('keystores:', `server: { ${settings} }\nkeystores:`), { env: BASIC_ENV });
}

/** A raw socket to the server, and what it has received so far. */
async function open(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  socket.on('error', () => {}); // a reset is one way of being refused
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed };
}

/** Send a keep-alive GET /jwks on the socket and wait for the whole response. */
async function getJwks(conn: Awaited<ReturnType<typeof open>>): Promise<string> {
  const start = conn.received().length;
  conn.socket.write('GET /jwks HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
  while (true) {
    const text = conn.received().slice(start);
    const head = text.indexOf('\r\n\r\n');
    const length = /content-length: (\d+)/i.exec(text);
    if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) return text;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('server.max_connections', () => {
  it('closes a connection beyond the limit while the others stay usable', async () => {
    s = await withServer('max_connections: 2');
    const first = await open(s.url);
    const second = await open(s.url);
    // Both are accepted and served: the server has counted them.
    expect(await getJwks(first)).toMatch(/^HTTP\/1\.1 200/);
    expect(await getJwks(second)).toMatch(/^HTTP\/1\.1 200/);

    const third = await open(s.url);
    third.socket.write('GET /jwks HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await third.closed;
    expect(third.received()).toBe('');

    expect(await getJwks(first)).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('server.keep_alive_timeout', () => {
  it('closes an idle keep-alive connection after the configured time', async () => {
    s = await withServer('keep_alive_timeout: 0.2');
    const conn = await open(s.url);
    const response = await getJwks(conn);
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response.toLowerCase()).toContain('keep-alive');
    await conn.closed; // far sooner than fastify's 72 s default, which would time the test out
    expect(conn.socket.destroyed).toBe(true);
  });

  it('defaults to a few seconds, as the schema says', async () => {
    s = await withServer('body_limit: 16384');
    expect(s.engine.config.server).toMatchObject({ keep_alive_timeout: 5, max_connections: 1024 });
    expect(s.app.server.keepAliveTimeout).toBe(5000);
    expect(s.app.server.maxConnections).toBe(1024);
  });
});

describe('server.request_timeout', () => {
  // Attack review M1: Node looked for timed-out requests only every 30 s, so 1024 silent
  // connections shut everyone else out for 30 s whatever request_timeout said.
  it('closes a connection that sends nothing, or half a request, after about request_timeout', async () => {
    s = await withServer('request_timeout: 1');
    const silent = await open(s.url);
    const half = await open(s.url);
    half.socket.write('POST /token HTTP/1.1\r\nHost: localhost\r\n');
    const started = Date.now();
    await Promise.all([silent.closed, half.closed]);
    expect(Date.now() - started).toBeLessThan(15_000); // not Node's 30 s sweep
  });
});
