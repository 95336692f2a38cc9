/**
 * Entra ID's `RESOURCE/.default` scope (issue 10, part 4): services written with MSAL ask
 * for `scope=api://orders/.default`, meaning every scope the client holds for that API. A
 * client holds scope S "for" resource R when R is among its audiences and S is written
 * `R/name`, as Entra names scopes; the token's aud is R and its scope those scopes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const SECRET = 'daemon-secret-0123456789abcdef';
const CONFIG = `
keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: 6a4f0c3e-orders-daemon
    client_secret: \${env.DAEMON_SECRET}
    token_endpoint_auth_method: client_secret_post
    scopes: [api://orders/orders.read, api://orders/orders.write, api://billing/invoices.read, https://api.example.com/items.read, local.scope]
    audiences: [api://orders, api://billing, api://empty, https://api.example.com/]
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: ScopeCheck
        config: { default_scopes: [local.scope] }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
const CLIENT_ID = '6a4f0c3e-orders-daemon';

describe('ScopeCheck: RESOURCE/.default', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(CONFIG, { env: { DAEMON_SECRET: SECRET } });
  });
  afterAll(() => s.close());

  /** The body as @azure/msal-node's ConfidentialClientApplication.acquireTokenByClientCredential sends it. */
  async function msalRequest(scope: string, extra: Record<string, string> = {}) {
    const body = new URLSearchParams({
      client_id: CLIENT_ID,
      scope,
      grant_type: 'client_credentials',
      'x-client-SKU': 'msal.js.node',
      'x-client-VER': '2.16.2',
      'x-client-OS': 'linux',
      'x-client-CPU': 'x64',
      'x-ms-lib-capability': 'retry-after, h429',
      'client-request-id': randomUUID(),
      client_secret: SECRET,
      ...extra,
    });
    const response = await fetch(`${s.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', 'x-client-current-telemetry': '5|771,2,,,|,', 'x-client-last-telemetry': '5|0|||0,0' },
      body: body.toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('grants every scope the client holds for the API, with aud = the API (an MSAL request)', async () => {
    const r = await msalRequest('api://orders/.default');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.scope).toBe('api://orders/orders.read api://orders/orders.write');
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { audience: 'api://orders' });
    expect(payload.aud).toBe('api://orders');
    expect(payload.scope).toBe('api://orders/orders.read api://orders/orders.write');
    expect(payload.client_id).toBe(CLIENT_ID);
  });

  it('keeps APIs apart: .default for another API grants only that API\'s scopes', async () => {
    const r = await msalRequest('api://billing/.default');
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { audience: 'api://billing' });
    expect(payload).toMatchObject({ aud: 'api://billing', scope: 'api://billing/invoices.read' });
  });

  it('takes a resource URL that ends in a slash (https://api.example.com//.default)', async () => {
    const r = await msalRequest('https://api.example.com//.default');
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { audience: 'https://api.example.com/' });
    expect(payload).toMatchObject({ aud: 'https://api.example.com/', scope: 'https://api.example.com/items.read' });
  });

  it('gives a token for the API and no scope when the client holds none there', async () => {
    const r = await msalRequest('api://empty/.default');
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { audience: 'api://empty' });
    expect(payload.aud).toBe('api://empty');
    expect(payload.scope).toBeUndefined();
  });

  it('accepts a resource parameter naming the same API', async () => {
    const r = await msalRequest('api://orders/.default', { resource: 'api://orders' });
    expect(r.status).toBe(200);
    expect((await verifyToken(s.url, String(r.body.access_token))).payload.aud).toBe('api://orders');
  });

  it.each([
    ['an API the client has no audience for', 'api://payroll/.default', {}],
    ['a resource parameter naming another API', 'api://orders/.default', { resource: 'api://billing' }],
    ['an audience parameter naming another API', 'api://orders/.default', { audience: 'api://billing' }],
  ])('refuses %s with invalid_target', async (_name, scope, extra) => {
    const r = await msalRequest(scope, extra);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });

  it.each([
    ['.default with another scope', 'api://orders/.default local.scope'],
    ['.default for two APIs', 'api://orders/.default api://billing/.default'],
    ['a bare /.default', '/.default'],
  ])('refuses %s with invalid_scope, as Entra does', async (_name, scope) => {
    const r = await msalRequest(scope);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_scope');
  });

  it('leaves other requests as they were: the configured defaults, and Entra-style names as plain scopes', async () => {
    const none = await postToken(s.url, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
    expect(none.body.scope).toBe('local.scope');
    const named = await postToken(s.url, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'api://orders/orders.read' });
    expect(named.status).toBe(200);
    expect(named.body.scope).toBe('api://orders/orders.read');
  });

  it('authenticates first: a wrong secret with .default is 401 invalid_client', async () => {
    const r = await msalRequest('api://payroll/.default', { client_secret: 'wrong' });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });
});
