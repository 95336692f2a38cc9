/**
 * curl, as an operator would try the server by hand: `curl -u id:secret -d
 * grant_type=client_credentials URL/token`. The token verifies with jose.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../helpers/sluice.js';
import { API, ORDERS, POSTER, interopConfig, run, serveInterop, verifyWithJose } from './helpers.js';

const CURL = ['/usr/bin/curl', '/bin/curl', '/usr/local/bin/curl'].find((p) => existsSync(p));

type Served = Awaited<ReturnType<typeof serveInterop>>;
let server: Served;
beforeAll(async () => {
  if (CURL) server = await serveInterop('ES256');
});
afterAll(async () => {
  await server?.close();
});

/** Run curl; returns the HTTP status, the response headers (lower-cased) and the JSON body. */
async function curl(...args: string[]) {
  const { stdout } = await run(CURL!, ['--silent', '--show-error', '--include', ...args], { timeout: 10_000 });
  const [head = '', body = ''] = stdout.split(/\r\n\r\n/, 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

describe.skipIf(!CURL)('curl', () => {
  it('curl -u id:secret -d grant_type=client_credentials URL/token', async () => {
    const { status, headers, body } = await curl('-u', `${ORDERS.id}:${ORDERS.secret}`, '-d', 'grant_type=client_credentials', `${server.url}/token`);
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(headers['cache-control']).toBe('no-store');
    expect(body.token_type).toBe('Bearer');
    expect(typeof body.expires_in).toBe('number');
    expect(body.scope).toBe('orders.read orders.write');
    await verifyWithJose(String(body.access_token), {
      issuer: server.issuer, clientId: ORDERS.id, audience: [API, 'https://billing.example.com'], scope: 'orders.read orders.write', alg: 'ES256',
    });
  });

  it('with scope and resource, form-encoded by curl', async () => {
    const { status, body } = await curl(
      '-u', `${ORDERS.id}:${ORDERS.secret}`,
      '--data-urlencode', 'grant_type=client_credentials',
      '--data-urlencode', 'scope=orders.read',
      '--data-urlencode', `resource=${API}`,
      `${server.url}/token`,
    );
    expect(status).toBe(200);
    expect(body.scope).toBe('orders.read');
    await verifyWithJose(String(body.access_token), { issuer: server.issuer, clientId: ORDERS.id, audience: API, scope: 'orders.read', alg: 'ES256' });
  });

  it('client_secret_post: -d client_id=… -d client_secret=…', async () => {
    const { status, body } = await curl('-d', 'grant_type=client_credentials', '-d', `client_id=${POSTER.id}`, '-d', `client_secret=${POSTER.secret}`, `${server.url}/token`);
    expect(status).toBe(200);
    await verifyWithJose(String(body.access_token), { issuer: server.issuer, clientId: POSTER.id, audience: server.issuer, scope: 'orders.read', alg: 'ES256' });
  });

  it('a secret with "+", "/", "=" and "%": -u with form-encoded id and secret (RFC 6749 §2.3.1), or --data-urlencode', async () => {
    const secret = 'AbC+dEf/GhI=%41';
    const special = await serve(interopConfig('ES256'), { env: { ORDERS_SECRET: secret, POSTER_SECRET: secret } });
    try {
      const encoded = encodeURIComponent(secret);
      const viaBasic = await curl('-u', `${ORDERS.id}:${encoded}`, '-d', 'grant_type=client_credentials', `${special.url}/token`);
      expect(viaBasic.status).toBe(200);
      await verifyWithJose(String(viaBasic.body.access_token), {
        issuer: special.url, clientId: ORDERS.id, audience: [API, 'https://billing.example.com'], scope: 'orders.read orders.write', alg: 'ES256',
      });
      const viaPost = await curl('-d', 'grant_type=client_credentials', '-d', `client_id=${POSTER.id}`, '--data-urlencode', `client_secret=${secret}`, `${special.url}/token`);
      expect(viaPost.status).toBe(200);
      await verifyWithJose(String(viaPost.body.access_token), { issuer: special.url, clientId: POSTER.id, audience: special.url, scope: 'orders.read', alg: 'ES256' });
    } finally {
      await special.close();
    }
  });

  it('a wrong secret: 401, WWW-Authenticate, invalid_client', async () => {
    const { status, headers, body } = await curl('-u', `${ORDERS.id}:nope`, '-d', 'grant_type=client_credentials', `${server.url}/token`);
    expect(status).toBe(401);
    expect(headers['www-authenticate']).toMatch(/^Basic /);
    expect(body.error).toBe('invalid_client');
    expect(body).not.toHaveProperty('access_token');
  });

  it('discovery and JWKS are plain GETs', async () => {
    const discovery = await curl(`${server.url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body.issuer).toBe(server.issuer);
    const jwks = await curl(String(discovery.body.jwks_uri));
    expect(jwks.status).toBe(200);
    expect(Array.isArray(jwks.body.keys)).toBe(true);
  });
});
