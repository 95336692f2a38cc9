/**
 * HttpRequest against an upstream that does not behave: one that never answers, bodies
 * larger than max_bytes (declared, endless, or lying about their length), more callers
 * than the valve lets through at once; and the cache that keeps a burst from reaching
 * the directory more than once.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { rawUpstream, upstream, type Handler } from './http-upstream.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };
const AUTH = { authorization: basic('svc', ENV.SVC_SECRET) };

const pipe = (config: string) => `
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - name: HttpRequest
        config: { dest: dir, ${config} }
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { team: "\${state.dir.body.team}", text: "\${state.dir.body}" } }
      - name: TokenResponse
`;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function sluiceFor(config: string): Promise<Running> {
  const s = await serve(pipe(config), { env: ENV });
  closers.push(() => s.close());
  return s;
}

async function upstreamWith(handler: Handler) {
  const up = await upstream(handler);
  closers.push(() => up.close());
  return up;
}

const token = (s: Running) => postToken(s.url, { grant_type: 'client_credentials' }, AUTH);

function expectUnavailable(r: { status: number; headers: Headers; body: Record<string, unknown> }): void {
  expect(r.status).toBe(503);
  expect(r.headers.get('retry-after')).toBe('2');
  expect(r.body).toEqual({ error: 'temporarily_unavailable', error_description: 'a service this request depends on did not answer as required' });
}

describe('HttpRequest limits', () => {
  it('answers 503 when the upstream never answers (the timeout ends the call)', async () => {
    const up = await upstreamWith(() => {}); // holds every request
    const s = await sluiceFor(`url: "${up.origin}/slow", timeout: 1`);
    expectUnavailable(await token(s));
    expect(s.logs.lines.find((l) => l.msg === 'HttpRequest call')?.upstream).toMatchObject({ path: '/slow', outcome: 'timeout' });
  });

  it('answers 503 when the upstream sends its headers and then stalls in the body (the timeout covers the body)', async () => {
    const up = await upstreamWith((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"team": '); // and nothing more
    });
    const s = await sluiceFor(`url: "${up.origin}/stall", timeout: 1`);
    expectUnavailable(await token(s));
    expect(s.logs.lines.find((l) => l.msg === 'HttpRequest call')?.upstream).toMatchObject({ path: '/stall', outcome: 'timeout' });
  });

  it('refuses a body whose declared length is over max_bytes without waiting for it', async () => {
    const up = await upstreamWith((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{"team": "'); // and never the rest: only the declared length can end this in time
    });
    const s = await sluiceFor(`url: "${up.origin}/big", max_bytes: 1024, timeout: 30`);
    expectUnavailable(await token(s));
    expect(s.logs.lines.find((l) => l.msg === 'HttpRequest call')?.upstream).toMatchObject({ outcome: 'too_large' });
  });

  it('abandons a body that never ends once it passes max_bytes', async () => {
    const up = await upstreamWith((_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no length declared
      const chunk = 'x'.repeat(16 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const s = await sluiceFor(`url: "${up.origin}/endless", max_bytes: 65536, timeout: 30`);
    expectUnavailable(await token(s));
    expect(s.logs.lines.find((l) => l.msg === 'HttpRequest call')?.upstream).toMatchObject({ outcome: 'too_large' });
  });

  it('reads no more than a Content-Length that understates the body', async () => {
    const up = await rawUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\n');
      socket.write('0123456789' + 'y'.repeat(1024 * 1024));
    });
    closers.push(() => up.close());
    const s = await sluiceFor(`url: "${up.origin}/liar", max_bytes: 1024`);
    const r = await token(s);
    expect(r.status).toBe(200);
    expect((await verifyToken(s.url, String(r.body.access_token))).payload.text).toBe('0123456789');
  });

  it('answers the configured error at once when max_concurrency calls are open', async () => {
    const held: ServerResponse[] = [];
    const up = await upstreamWith((_seen, res) => held.push(res));
    const s = await sluiceFor(`url: "${up.origin}/slow", max_concurrency: 1, timeout: 30`);
    const first = token(s);
    await up.received(1);
    expectUnavailable(await token(s)); // the upstream is not asked a second time
    expect(up.seen).toHaveLength(1);
    expect(s.logs.lines.find((l) => l.msg === 'HttpRequest call')?.upstream).toMatchObject({ outcome: 'busy' });
    held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{"team":"late"}');
    expect((await first).status).toBe(200);
  });
});

describe('HttpRequest cache_ttl', () => {
  it('calls the upstream once for repeated identical requests, and gives each the answer', async () => {
    const up = await upstreamWith((_seen, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"team":"cached"}'));
    const s = await sluiceFor(`url: "${up.origin}/users/\${client.client_id}", cache_ttl: 60`);
    for (let i = 0; i < 3; i++) {
      const r = await token(s);
      expect((await verifyToken(s.url, String(r.body.access_token))).payload.team).toBe('cached');
    }
    expect(up.seen).toHaveLength(1);
  });

  it('shares one upstream call among concurrent identical misses (single flight)', async () => {
    const held: ServerResponse[] = [];
    const up = await upstreamWith((_seen, res) => held.push(res));
    const s = await sluiceFor(`url: "${up.origin}/users/\${client.client_id}", cache_ttl: 60, timeout: 30`);
    const burst = Array.from({ length: 5 }, () => token(s));
    await up.received(1);
    // Let the rest of the burst reach the valve while the first call is still open.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(up.seen).toHaveLength(1);
    held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{"team":"shared"}');
    for (const r of await Promise.all(burst)) {
      expect(r.status).toBe(200);
      expect((await verifyToken(s.url, String(r.body.access_token))).payload.team).toBe('shared');
    }
    expect(up.seen).toHaveLength(1);
  });

  it('does not cache a failure', async () => {
    let status = 503;
    const up = await upstreamWith((_seen, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"team":"recovered"}'));
    const s = await sluiceFor(`url: "${up.origin}/users/x", cache_ttl: 60`);
    expectUnavailable(await token(s));
    status = 200;
    expect((await token(s)).status).toBe(200);
    expect(up.seen).toHaveLength(2);
  });
});
