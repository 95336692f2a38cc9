/**
 * An issuer with a path (issue 9 item 13b), as behind a path-routing proxy or Keycloak's
 * /realms/x: endpoints are served under the path, discovery also at the RFC 8414
 * section 3 path-inserted location, and tokens carry the issuer exactly as configured.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../engine/http/server.js';
import { formatDiagnostic } from '../../engine/diagnostics.js';
import { BASIC_CONFIG, BASIC_ENV, LogCapture, basic, freePort, load } from '../helpers/sluice.js';

/** Serve `yaml` with its ISSUER placeholder replaced by http://127.0.0.1:PORT + path. */
async function serveAt(yaml: string, issuerPath: string) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}${issuerPath}`;
  const { engine, diagnostics } = await load(yaml.replaceAll('ISSUER', issuer), { env: BASIC_ENV, port, logs: new LogCapture() });
  if (!engine) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  const app = createServer({ current: engine });
  await app.listen({ host: '127.0.0.1', port });
  return { origin: `http://127.0.0.1:${port}`, issuer, engine, close: () => app.close() };
}

type Served = Awaited<ReturnType<typeof serveAt>>;
const withIssuer = (extra = '') => BASIC_CONFIG.replace(/^issuer:.*$/m, `issuer: ISSUER${extra}`);
const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function json(url: string, init: RequestInit = {}) {
  const r = await fetch(url, init);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('issuer https://host/platform', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serveAt(withIssuer(), '/platform');
  });
  afterAll(() => s.close());

  it.each([
    ['OpenID Connect Discovery: issuer + /.well-known/openid-configuration', '/platform/.well-known/openid-configuration'],
    ['RFC 8414 section 3: path inserted after /.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/platform'],
    ['RFC 8414 metadata appended to the issuer (what some clients try)', '/platform/.well-known/oauth-authorization-server'],
  ])('serves discovery at %s', async (_name, path) => {
    const r = await json(s.origin + path);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ issuer: s.issuer, token_endpoint: `${s.issuer}/token`, jwks_uri: `${s.issuer}/jwks` });
  });

  it('does not serve the endpoints at the root as well', async () => {
    expect((await json(`${s.origin}/token`, { method: 'POST', headers: { ...FORM, ...auth }, body: 'grant_type=client_credentials' })).status).toBe(404);
    expect((await json(`${s.origin}/jwks`)).status).toBe(404);
  });

  it('answers a wrong method under the path with 405', async () => {
    const r = await fetch(`${s.origin}/platform/token`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });

  it('issues at /platform/token a token that verifies with the issuer exactly as configured', async () => {
    const r = await json(`${s.issuer}/token`, { method: 'POST', headers: { ...FORM, ...auth }, body: 'grant_type=client_credentials' });
    expect(r.status).toBe(200);
    const { payload } = await jwtVerify(String(r.body.access_token), createRemoteJWKSet(new URL(`${s.issuer}/jwks`)), { issuer: s.issuer });
    expect(payload.iss).toBe(s.issuer); // no trailing slash added
  });

  it.each(['oidc', 'oauth2'] as const)('works with openid-client discovery from the issuer URL (algorithm %s)', async (algorithm) => {
    const config = await client.discovery(new URL(s.issuer), 'orders-service', BASIC_ENV.ORDERS_SECRET, client.ClientSecretBasic(BASIC_ENV.ORDERS_SECRET), { execute: [client.allowInsecureRequests], algorithm });
    expect(config.serverMetadata().token_endpoint).toBe(`${s.issuer}/token`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders.read' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${s.issuer}/jwks`)), { issuer: s.issuer });
    expect(payload.scope).toBe('orders.read');
  });
});

describe('a Keycloak-style issuer /realms/acme', () => {
  it('serves every endpoint under the path', async () => {
    const s = await serveAt(withIssuer(), '/realms/acme');
    try {
      expect((await json(`${s.origin}/.well-known/oauth-authorization-server/realms/acme`)).body.issuer).toBe(s.issuer);
      expect((await json(`${s.issuer}/.well-known/openid-configuration`)).body.issuer).toBe(s.issuer);
      expect((await json(`${s.issuer}/jwks`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('behind a proxy that strips the path: server.base_path', () => {
  it('serves at the base path given, keeping the issuer (and its endpoint URLs) as configured', async () => {
    const s = await serveAt(withIssuer().replace('keystores:', 'server: { base_path: "" }\nkeystores:'), '/platform');
    try {
      const meta = await json(`${s.origin}/.well-known/openid-configuration`);
      expect(meta.body).toMatchObject({ issuer: s.issuer, token_endpoint: `${s.issuer}/token` });
      const r = await json(`${s.origin}/token`, { method: 'POST', headers: { ...FORM, ...auth }, body: 'grant_type=client_credentials' });
      expect(r.status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('without an issuer, the default issuer includes the base path', async () => {
    const s = await serveAt(BASIC_CONFIG.replace(/^issuer:.*\n/m, '').replace('keystores:', 'server: { base_path: /platform }\nkeystores:'), '');
    try {
      expect(s.engine.issuer).toBe(`${s.origin}/platform`);
      expect((await json(`${s.origin}/platform/jwks`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('issuer in check', () => {
  it('keeps an issuer without a path exactly as it was', async () => {
    const { engine } = await load(BASIC_CONFIG, { env: BASIC_ENV });
    expect(engine!.issuer).toBe('http://127.0.0.1:8080');
    expect(engine!.metadata.token_endpoint).toBe('http://127.0.0.1:8080/token');
  });

  it.each([
    'https://auth.example.com/',
    'https://auth.example.com/platform/',
    'https://auth.example.com/a//b',
    'https://auth.example.com/a?x=1',
    'https://auth.example.com/a#f',
    'https://auth.example.com/a/../b',
    'https://auth.example.com/:param',
  ])('refuses %s', async (issuer) => {
    const { engine, diagnostics } = await load(BASIC_CONFIG.replace(/^issuer:.*$/m, `issuer: "${issuer}"`), { env: BASIC_ENV });
    expect(engine).toBeUndefined();
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'schema', line: 2 });
  });

  it.each(['https://auth.example.com/platform', 'https://auth.example.com/realms/my-realm_1.x'])('accepts %s', async (issuer) => {
    const { engine } = await load(BASIC_CONFIG.replace(/^issuer:.*$/m, `issuer: "${issuer}"`), { env: BASIC_ENV });
    expect(engine?.issuer).toBe(issuer);
  });
});
