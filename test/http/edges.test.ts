/**
 * HTTP edges (issue 9 items 13, 13a): whatever the HTTP layer refuses is answered in the
 * RFC 6749 section 5.2 shape, ambiguous requests are refused rather than guessed, and
 * every response carries the headers a browser or cache needs to do no harm.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, serve, type Running } from '../helpers/sluice.js';

let s: Running;
beforeAll(async () => {
  s = await serve(BASIC_CONFIG, { env: BASIC_ENV });
});
afterAll(() => s.close());

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const auth = basic('orders-service', BASIC_ENV.ORDERS_SECRET);

/** Write raw bytes to the server; resolve with everything it sent before closing. */
function rawExchange(bytes: string): Promise<string> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
  });
}

function parseRaw(text: string) {
  const head = text.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = text.slice(0, head).split('\r\n');
  const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const body = text.slice(head + 4);
  return { status: Number(statusLine!.split(' ')[1]), headers, body, json: JSON.parse(body) as Record<string, unknown> };
}

describe('requests the HTTP parser refuses get an OAuth error', () => {
  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n'],
    ['a header without a colon', 'POST /token HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n'],
    ['a non-numeric content-length', 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    ['two different content-lengths', 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['a bad chunk size', 'POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('%s', async (_name, bytes) => {
    const r = parseRaw(await rawExchange(bytes));
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_request');
    expect(typeof r.json.error_description).toBe('string');
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.body));
    expect(r.headers.get('connection')).toBe('close');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a URL that is not a valid path', async () => {
    const r = await fetch(`${s.url}/token%zz`, { method: 'POST' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as Record<string, unknown>).error).toBe('invalid_request');
  });
});

describe('ambiguous headers', () => {
  it('refuses two Authorization headers (Node would silently keep the first)', async () => {
    const body = 'grant_type=client_credentials';
    const r = parseRaw(await rawExchange(
      `POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: ${auth}\r\nAuthorization: Basic b3RoZXI6b3RoZXI=\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ));
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_request');
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses two Content-Type headers', async () => {
    const body = 'grant_type=client_credentials';
    const r = parseRaw(await rawExchange(
      `POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Type: application/json\r\nAuthorization: ${auth}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ));
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_request');
  });

  it('still issues with one Authorization header (control)', async () => {
    const body = 'grant_type=client_credentials';
    const r = parseRaw(await rawExchange(
      `POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: ${auth}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ));
    expect(r.status).toBe(200);
  });
});

describe('response headers', () => {
  const requests: Array<[string, string, RequestInit]> = [
    ['token, issued', '/token', { method: 'POST', headers: { ...FORM, authorization: auth }, body: 'grant_type=client_credentials' }],
    ['token, refused', '/token', { method: 'POST', headers: FORM, body: 'grant_type=client_credentials' }],
    ['discovery', '/.well-known/openid-configuration', {}],
    ['RFC 8414 metadata', '/.well-known/oauth-authorization-server', {}],
    ['JWKS', '/jwks', {}],
    ['not found', '/nope', {}],
    ['method not allowed', '/jwks', { method: 'POST' }],
  ];
  it.each(requests)('%s: X-Content-Type-Options: nosniff', async (_name, path, init) => {
    const r = await fetch(s.url + path, init);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks'])('%s may be cached', async (path) => {
    const r = await fetch(s.url + path);
    expect(r.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  });

  it.each(requests.filter(([name]) => !['token, issued', 'discovery', 'RFC 8414 metadata', 'JWKS'].includes(name)))('%s: an error is never cached', async (_name, path, init) => {
    const r = await fetch(s.url + path, init);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });
});

describe('parameters in the URL query (RFC 6749 section 2.3.1)', () => {
  const secret = BASIC_ENV.POSTER_SECRET;

  it('refuses them with invalid_request, saying why, and never logs them', async () => {
    const before = s.logs.text.length;
    const query = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'poster', client_secret: secret });
    const r = await fetch(`${s.url}/token?${query}`, { method: 'POST', headers: FORM, body: '' });
    expect(r.status).toBe(400);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(/query/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const logged = s.logs.text.slice(before);
    expect(logged).not.toBe(''); // the refusal is logged, without the query
    for (const part of [secret, secret.slice(0, 8), secret.slice(-8), encodeURIComponent(secret), 'client_secret']) expect(logged).not.toContain(part);
  });

  it('refuses them even when the body is a valid request', async () => {
    const r = await fetch(`${s.url}/token?client_secret=${secret}`, { method: 'POST', headers: { ...FORM, authorization: auth }, body: 'grant_type=client_credentials' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as Record<string, unknown>).error).toBe('invalid_request');
  });
});
