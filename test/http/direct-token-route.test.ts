/**
 * The plain token request is answered before fastify (engine/http/direct-token-route.ts);
 * anything else takes fastify's route. A caller must not be able to tell which: the same
 * request sent both ways (with a Content-Length, or chunked, which only fastify takes)
 * gets the same status, headers and body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directTokenRoute } from '../../engine/http/direct-token-route.js';
import { ServingState } from '../../engine/http/serving-state.js';
import { BASIC_CONFIG, BASIC_ENV, basic, serve, type Running } from '../helpers/sluice.js';

let s: Running;
beforeAll(async () => {
  s = await serve(BASIC_CONFIG, { env: BASIC_ENV });
});
afterAll(() => s.close());

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** POST /token with a Content-Length (direct) or chunked (fastify). */
function post(body: string, headers: Record<string, string>, chunked: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${s.url}/token`, { method: 'POST', headers: { ...headers, ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers as Record<string, string>, body: JSON.parse(text) as Record<string, unknown> }));
    });
    request.on('error', reject);
    if (chunked) request.write(body.slice(0, 5));
    request.end(chunked ? body.slice(5) : body);
  });
}

/** What a caller may compare: every header but the per-response ones. */
function comparable(answer: Answer) {
  const { date: _date, 'content-length': _length, 'transfer-encoding': _te, connection: _c, 'keep-alive': _k, 'x-request-id': _id, ...headers } = answer.headers;
  const { access_token: token, ...body } = answer.body;
  return { status: answer.status, headers, body, hasToken: typeof token === 'string' };
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };

describe('the direct token route answers as fastify does', () => {
  const cases: Array<[string, string, Record<string, string>, number]> = [
    ['a token', 'grant_type=client_credentials&scope=orders.read', { ...form, ...auth }, 200],
    ['a wrong secret', 'grant_type=client_credentials', { ...form, authorization: basic('orders-service', 'wrong-secret-of-some-length') }, 401],
    ['an unknown grant type', 'grant_type=password', { ...form, ...auth }, 400],
    ['no form', '{"grant_type":"client_credentials"}', { 'content-type': 'application/json', ...auth }, 400],
    ['an unknown scope', 'grant_type=client_credentials&scope=admin', { ...form, ...auth }, 400],
    // Not a media type at all: fastify answers 415 before any endpoint (attack review).
    ['a Content-Type that is no media type', 'grant_type=client_credentials', { 'content-type': ';;;', ...auth }, 415],
    ['an empty Content-Type', 'grant_type=client_credentials', { 'content-type': '', ...auth }, 415],
    ['a Content-Type listing two media types', 'grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded, text/plain', ...auth }, 415],
  ];
  it.each(cases)('%s', async (_name, body, headers, status) => {
    const direct = await post(body, headers, false);
    const viaFastify = await post(body, headers, true);
    expect(direct.status).toBe(status);
    expect(comparable(direct)).toEqual(comparable(viaFastify));
    expect(direct.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(direct.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(direct.headers['cache-control']).toBe('no-store');
    expect(direct.headers['x-content-type-options']).toBe('nosniff');
  });

  it("echoes a plain x-request-id and replaces a hostile one, as fastify's route does", async () => {
    const plain = await post('grant_type=client_credentials', { ...form, ...auth, 'x-request-id': 'trace-1.2:3' }, false);
    expect(plain.headers['x-request-id']).toBe('trace-1.2:3');
    const hostile = await post('grant_type=client_credentials', { ...form, ...auth, 'x-request-id': 'a b<script>' }, false);
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('what the direct route leaves to fastify', () => {
  const serving = new ServingState('1');
  // The engine is read only once a request is taken; none is here.
  const NO_ENGINE = { current: undefined as never };
  const take = directTokenRoute(NO_ENGINE, serving, { path: '/token', bodyLimit: 100, trustProxy: false });
  const request = (over: Partial<IncomingMessage> & { headers?: Record<string, string> }) => ({
    url: '/token',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '10', ...over.headers },
    rawHeaders: over.rawHeaders ?? [],
    ...over,
  }) as unknown as IncomingMessage;
  const response = {} as ServerResponse;

  it.each([
    ['a URL query', { url: '/token?client_secret=x' }],
    ['another path', { url: '/token/' }],
    ['another method', { method: 'PUT' }],
    ['no content type', { headers: { 'content-type': undefined as unknown as string } }],
    ['another media type', { headers: { 'content-type': 'application/json' } }],
    ['a Content-Type that is no media type', { headers: { 'content-type': ';;' } }],
    ['a chunked body', { headers: { 'transfer-encoding': 'chunked' } }],
    ['no content length', { headers: { 'content-length': undefined as unknown as string } }],
    ['a body over body_limit', { headers: { 'content-length': '101' } }],
    ['a repeated Authorization header', { rawHeaders: ['Authorization', 'Basic a', 'authorization', 'Basic b'] }],
  ])('%s', (_name, over) => {
    expect(take(request(over as never), response)).toBe(false);
  });

  it('a request while the server refuses (drain, overload)', () => {
    const refusing = new ServingState('1');
    refusing.setOverload('rss');
    expect(refusing.refusing?.code).toBe('temporarily_unavailable');
    const takeRefusing = directTokenRoute(NO_ENGINE, refusing, { path: '/token', bodyLimit: 100, trustProxy: false });
    expect(takeRefusing(request({}), response)).toBe(false);
  });

  it('every request when a proxy is trusted (fastify works out the address)', () => {
    const behindProxy = directTokenRoute(NO_ENGINE, serving, { path: '/token', bodyLimit: 100, trustProxy: 1 });
    expect(behindProxy(request({}), response)).toBe(false);
  });
});
