/**
 * /jwks and discovery are cacheable: Cache-Control max-age from server.jwks_max_age and a
 * strong ETag; If-None-Match with the current tag gets 304 and no body (RFC 9110 section
 * 13.1.2), anything else the document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, serve, type Running } from '../helpers/sluice.js';

let server: Running;
let defaults: Running;
beforeAll(async () => {
  server = await serve(BASIC_CONFIG.replace('issuer: http://127.0.0.1:8080', 'issuer: http://127.0.0.1:8080\nserver: { jwks_max_age: 120 }'), { env: BASIC_ENV });
  defaults = await serve(BASIC_CONFIG, { env: BASIC_ENV });
});
afterAll(async () => {
  await server.close();
  await defaults.close();
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

describe.each(['/jwks', '/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'])('%s caching', (path) => {
  it('says max-age from server.jwks_max_age, and a strong ETag', async () => {
    const answer = await get(server.url + path);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=120');
    expect(answer.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it('max-age defaults to 300 s', async () => {
    expect((await get(defaults.url + path)).headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('answers 304 without a body to If-None-Match with the current tag (weak, in a list, or *)', async () => {
    const etag = (await get(server.url + path)).headers.get('etag')!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const answer = await get(server.url + path, { 'if-none-match': header });
      expect(answer.status).toBe(304);
      expect(await answer.text()).toBe('');
      expect(answer.headers.get('etag')).toBe(etag);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=120');
    }
  });

  it('answers the document to a stale, malformed or oversized If-None-Match', async () => {
    const first = await get(server.url + path);
    const body = await first.text();
    for (const header of ['"stale"', 'garbage', ',,,', `"${'x'.repeat(5000)}"`, `${first.headers.get('etag')!.slice(0, -1)}`]) {
      const answer = await get(server.url + path, { 'if-none-match': header });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe(body);
    }
  });

  it('the same document gets the same tag', async () => {
    const [a, b] = await Promise.all([get(server.url + path), get(server.url + path)]);
    expect(a.headers.get('etag')).toBe(b.headers.get('etag'));
  });
});

describe('/jwks body', () => {
  it('is the JWK Set, typed application/jwk-set+json', async () => {
    const answer = await get(server.url + '/jwks');
    expect(answer.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const body = (await answer.json()) as { keys: Array<{ kid: string }> };
    expect(body.keys.map((k) => k.kid)).toEqual(server.engine.jwks.keys.map((k) => k.kid));
  });

  it('different keys, different tags', async () => {
    const [a, b] = await Promise.all([get(server.url + '/jwks'), get(defaults.url + '/jwks')]);
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
  });
});
