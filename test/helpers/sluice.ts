/**
 * Test harness: serve a config on a real port on 127.0.0.1, with logs captured so that
 * tests can assert what is (and is not) logged. Configs live in a temp dir so that
 * relative key paths and plugins resolve as they would for a user.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../../engine/http/server.js';
import { loadConfigText, type LoadResult } from '../../engine/load.js';
import { createLogger } from '../../engine/logger.js';
import type { Engine } from '../../engine/engine.js';
import { formatDiagnostic } from '../../engine/diagnostics.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Write `files` (relative path → content) into a fresh temp dir; returns the dir. */
export function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

export interface Running {
  url: string;
  engine: Engine;
  app: FastifyInstance;
  logs: LogCapture;
  dir: string;
  close(): Promise<void>;
}

export interface LoadOptionsForTest {
  env?: Record<string, string>;
  files?: Record<string, string | Buffer>;
  now?: () => number;
}

/** Load a config text (written to config.yaml in a temp dir) without serving it. */
export async function load(yaml: string, options: LoadOptionsForTest & { port?: number; logs?: LogCapture } = {}): Promise<LoadResult & { dir: string; file: string }> {
  const dir = tempDir({ ...options.files, 'config.yaml': yaml });
  const file = join(dir, 'config.yaml');
  const logs = options.logs ?? new LogCapture();
  const result = await loadConfigText(file, yaml, {
    env: options.env ?? {},
    logger: createLogger('info', logs),
    ...(options.now ? { now: options.now } : {}),
    ...(options.port !== undefined ? { server: { port: options.port } } : {}),
  });
  return { ...result, dir, file };
}

/**
 * Serve a config; throws with the diagnostics when it does not load. A free port can be
 * taken by a parallel test file before we bind it: then it tries another.
 */
export async function serve(yaml: string, options: LoadOptionsForTest = {}): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await serveOnce(yaml, options);
    } catch (error) {
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}

async function serveOnce(yaml: string, options: LoadOptionsForTest): Promise<Running> {
  const port = await freePort();
  const logs = new LogCapture();
  const { engine, diagnostics, dir } = await load(yaml, { ...options, port, logs });
  if (!engine) throw new Error('config did not load:\n' + diagnostics.map(formatDiagnostic).join('\n'));
  const app = createServer({ current: engine });
  await app.listen({ host: '127.0.0.1', port });
  return { url: `http://127.0.0.1:${port}`, engine, app, logs, dir, close: () => app.close() };
}

export function basic(id: string, secret: string): string {
  const form = (s: string) => encodeURIComponent(s).replaceAll('%20', '+');
  return 'Basic ' + Buffer.from(`${form(id)}:${form(secret)}`).toString('base64');
}

/** POST a form to the token endpoint; returns status, headers and the parsed JSON body. */
export async function postToken(url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** A small, complete config: one client with a plain secret from env, one pipe, one key. */
export const BASIC_CONFIG = `
issuer: http://127.0.0.1:8080
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: orders-service
    client_secret: \${env.ORDERS_SECRET}
    token_endpoint_auth_method: client_secret_basic
    scopes: [orders.read, orders.write]
    audiences: [https://api.example.com, https://billing.example.com]
    client_credentials_pipe_id: m2m-jwt
    attributes: { appid: orders, roles: [order-reader] }
  - client_id: poster
    client_secret: \${env.POSTER_SECRET}
    token_endpoint_auth_method: client_secret_post
    scopes: [orders.read]
    client_credentials_pipe_id: m2m-jwt
pipes:
  - id: m2m-jwt
    valves:
      - name: ClientAuthenticate
      - name: ScopeCheck
      - name: CreateJwt
        config:
          keystore: signing
          jwt_ttl: 10
          jwt_claims:
            appid: \${client.attributes.appid}
            roles: \${client.attributes.roles}
      - name: TokenResponse
`;
export const BASIC_ENV = { ORDERS_SECRET: 'orders-secret-0123456789', POSTER_SECRET: 'poster-secret-0123456789' };
