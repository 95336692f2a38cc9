/**
 * A local upstream for HttpRequest tests: a node:http server on 127.0.0.1:0 that records
 * what it was sent and answers through the test's handler. A handler that never answers
 * is a slow upstream; `close()` ends whatever is still open.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Seen {
  readonly method: string;
  /** The request target exactly as it arrived (path and query, still percent-encoded). */
  readonly target: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface Upstream {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly seen: Seen[];
  /** Resolves once the upstream has received `count` requests. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (seen: Seen, res: ServerResponse) => void;

export async function upstream(handler: Handler): Promise<Upstream> {
  const seen: Seen[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', target: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      for (const w of waiters.filter((w) => seen.length >= w.count)) w.resolve();
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    received: (count) => (seen.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A raw TCP upstream for answers node:http refuses to write (a Content-Length that lies, a
 * body that never ends): `respond` gets the socket once a request head has arrived.
 */
export async function rawUpstream(respond: (socket: Socket) => void): Promise<{ origin: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    socket.on('data', (chunk) => {
      const before = head;
      head += chunk.toString('latin1');
      if (!before.includes('\r\n\r\n') && head.includes('\r\n\r\n')) respond(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
