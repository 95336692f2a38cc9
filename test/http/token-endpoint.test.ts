/** Every malformed request gets a clean RFC 6749 §5.2 error, never a 500 or a stack trace. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';

let s: Running;
beforeAll(async () => {
  s = await serve(BASIC_CONFIG.replace('keystores:', 'server: { body_limit: 2048 }\nkeystores:'), { env: BASIC_ENV });
});
afterAll(() => s.close());

const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };

async function raw(method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) {
  const response = await fetch(s.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as Record<string, unknown> };
}

describe('POST /token errors', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const cases: Array<[string, string, Record<string, string>, number, string]> = [
    ['no grant_type', '', { ...form, ...auth }, 400, 'invalid_request'],
    ['an unknown grant_type', 'grant_type=password', { ...form, ...auth }, 400, 'unsupported_grant_type'],
    ['a grant_type the client has no pipe for, authenticated', 'grant_type=authorization_code', { ...form, ...auth }, 400, 'unsupported_grant_type'],
    ['a repeated parameter (RFC 6749 §3.1)', 'grant_type=client_credentials&scope=orders.read&scope=orders.write', { ...form, ...auth }, 400, 'invalid_request'],
    ['a repeated grant_type', 'grant_type=client_credentials&grant_type=client_credentials', { ...form, ...auth }, 400, 'invalid_request'],
    ['JSON instead of a form', '{"grant_type":"client_credentials"}', { 'content-type': 'application/json', ...auth }, 400, 'invalid_request'],
    ['no content type', 'grant_type=client_credentials', { ...auth }, 400, 'invalid_request'],
    ['a text/plain body', 'grant_type=client_credentials', { 'content-type': 'text/plain', ...auth }, 400, 'invalid_request'],
    ['broken percent-encoding', 'grant_type=client_credentials&scope=%E0%A4%A', { ...form, ...auth }, 400, 'invalid_scope'],
    ['a body over the limit', 'grant_type=client_credentials&x=' + 'a'.repeat(4096), { ...form, ...auth }, 413, 'invalid_request'],
  ];
  it.each(cases)('%s', async (_name, body, headers, status, error) => {
    const r = await raw('POST', '/token', body, headers);
    expect(r.status).toBe(status);
    expect(r.json.error).toBe(error);
    expect(typeof r.json.error_description).toBe('string');
    expect(r.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('treats a parameter without a value as omitted (RFC 6749 §3.1)', async () => {
    const r = await raw('POST', '/token', 'grant_type=client_credentials&scope=', { ...form, ...auth });
    expect(r.status).toBe(200);
    expect(r.json.scope).toBe('orders.read orders.write');
  });

  it('accepts a content type with a charset', async () => {
    const r = await raw('POST', '/token', 'grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', ...auth });
    expect(r.status).toBe(200);
  });

  it('answers GET /token with 405 and Allow: POST', async () => {
    const r = await raw('GET', '/token', undefined);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect(r.json.error).toBe('method_not_allowed');
  });

  it('answers an unknown path with a 404 JSON error', async () => {
    const r = await raw('GET', '/nope', undefined);
    expect(r.status).toBe(404);
    expect(r.json.error).toBe('not_found');
  });

  it('survives garbage: no 500s, always a JSON error', async () => {
    const bodies = ['%', '&&&', '=', 'grant_type', '\u0000\u0001', 'a=b=c', '%zz=%yy', 'grant_type=client_credentials&' + '&'.repeat(500)];
    const headers = [{}, auth, { authorization: 'Basic' }, { authorization: 'Basic ' + 'A'.repeat(1000) }, { authorization: 'Basic Og==' }, { authorization: basic('', '') }, { authorization: '\t' }];
    for (const body of bodies) {
      for (const h of headers) {
        const r = await raw('POST', '/token', body, { ...form, ...h });
        expect(r.status, `${body} ${JSON.stringify(h)}`).toBeLessThan(500);
        if (r.status !== 200) expect(typeof r.json.error).toBe('string');
      }
    }
  });

  it('answers a malformed HTTP body length cleanly', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(s.url);
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/token', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '10' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('grant_type=client_credentials'); // longer than announced
    });
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it('logs one line per token request with client, pipe, outcome and duration', async () => {
    const before = s.logs.lines.length;
    await postToken(s.url, { grant_type: 'client_credentials' }, auth);
    const lines = s.logs.lines.slice(before).filter((l) => l.event === 'token');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ client_id: 'orders-service', pipe: 'm2m-jwt', outcome: 'issued', grant_type: 'client_credentials' });
    expect(lines[0]!.req_id).toBeTruthy();
  });
});

describe('discovery and JWKS', () => {
  it.each(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'])('%s describes the server (RFC 8414)', async (path) => {
    const r = await raw('GET', path, undefined);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      issuer: s.engine.issuer,
      token_endpoint: `${s.engine.issuer}/token`,
      jwks_uri: `${s.engine.issuer}/jwks`,
      grant_types_supported: ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'],
      scopes_supported: ['orders.read', 'orders.write'],
    });
    // Issue 11: introspection, revocation and userinfo are advertised (test/endpoints/).
    expect(r.json.introspection_endpoint).toBe(`${s.engine.issuer}/introspect`);
    expect(r.json.revocation_endpoint).toBe(`${s.engine.issuer}/revoke`);
    expect(r.json.userinfo_endpoint).toBe(`${s.engine.issuer}/userinfo`);
  });

  it('merges oidc.discovery_meta', async () => {
    const t = await serve(BASIC_CONFIG.replace('rps:', 'oidc:\n  discovery_meta: { service_documentation: https://docs.example.com }\nrps:'), { env: BASIC_ENV });
    try {
      const r = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(r.service_documentation).toBe('https://docs.example.com');
    } finally {
      await t.close();
    }
  });

  it('publishes public keys only, each with a kid', async () => {
    const r = await raw('GET', '/jwks', undefined);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const keys = r.json.keys as Array<Record<string, unknown>>;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig' });
    expect(keys[0]!.kid).toBeTruthy();
    expect(keys[0]!.d).toBeUndefined();
  });
});
