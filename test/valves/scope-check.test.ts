import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

describe('ScopeCheck', () => {
  let s: Running;
  const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };
  const grant = { grant_type: 'client_credentials' };
  beforeAll(async () => {
    const config = BASIC_CONFIG.replace('pipes:', `  - client_id: narrowed
    client_secret: \${env.ORDERS_SECRET}
    scopes: [a, b, c]
    audiences: [https://one.example, https://two.example]
    client_credentials_pipe_id: narrow
    attributes: { defaults: [a, c] }
  - client_id: templated
    client_secret: \${env.ORDERS_SECRET}
    scopes: [a, b, c]
    client_credentials_pipe_id: from-attributes
    attributes: { defaults: [b, c, nope] }
pipes:
  - id: from-attributes
    valves:
      - name: ScopeCheck
        config: { default_scopes: ["\${client.attributes.defaults}"] }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
  - id: narrow
    valves:
      - name: ScopeCheck
        config: { default_scopes: [a], default_audiences: [https://two.example] }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse`);
    s = await serve(config, { env: BASIC_ENV });
  });
  afterAll(() => s.close());

  it("grants all of the client's scopes and audiences when none are requested", async () => {
    const r = await postToken(s.url, grant, auth);
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('orders.read orders.write');
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.scope).toBe('orders.read orders.write');
    expect(payload.aud).toEqual(['https://api.example.com', 'https://billing.example.com']);
  });

  it('grants a requested subset of scopes', async () => {
    const r = await postToken(s.url, { ...grant, scope: 'orders.read' }, auth);
    expect(r.body.scope).toBe('orders.read');
    expect((await verifyToken(s.url, String(r.body.access_token))).payload.scope).toBe('orders.read');
  });

  it('refuses a scope the client does not have with invalid_scope', async () => {
    const r = await postToken(s.url, { ...grant, scope: 'orders.read orders.delete' }, auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_scope');
  });

  it('refuses scope characters RFC 6749 §3.3 forbids', async () => {
    const r = await postToken(s.url, { ...grant, scope: 'orders"read' }, auth);
    expect(r.body.error).toBe('invalid_scope');
  });

  it('narrows the audience to one requested resource (RFC 8707)', async () => {
    const r = await postToken(s.url, { ...grant, resource: 'https://billing.example.com' }, auth);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { audience: 'https://billing.example.com' });
    expect(payload.aud).toBe('https://billing.example.com');
  });

  it('accepts several resource and audience parameters', async () => {
    const r = await postToken(s.url, { ...grant, resource: ['https://api.example.com'], audience: 'https://billing.example.com' }, auth);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.aud).toEqual(['https://api.example.com', 'https://billing.example.com']);
  });

  it.each([
    ['an unknown resource', { resource: 'https://evil.example.com' }],
    ['an unknown audience', { audience: 'https://evil.example.com' }],
    ['a relative resource', { resource: '/api' }],
    ['a resource with a fragment', { resource: 'https://api.example.com#x' }],
  ])('refuses %s with invalid_target', async (_name, extra) => {
    const r = await postToken(s.url, { ...grant, ...extra }, auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });

  it('uses the issuer as audience when the client has none', async () => {
    const r = await postToken(s.url, { ...grant, client_id: 'poster', client_secret: BASIC_ENV.POSTER_SECRET });
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.aud).toBe(s.engine.issuer);
  });

  it("takes default scopes from a template, keeping only the client's own", async () => {
    const r = await postToken(s.url, grant, { authorization: basic('templated', BASIC_ENV.ORDERS_SECRET) });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('b c');
  });

  it('uses the configured defaults, and still allows any of the client\'s scopes on request', async () => {
    const narrowed = { authorization: basic('narrowed', BASIC_ENV.ORDERS_SECRET) };
    const r = await postToken(s.url, grant, narrowed);
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('a');
    expect((await verifyToken(s.url, String(r.body.access_token))).payload.aud).toBe('https://two.example');
    expect((await postToken(s.url, { ...grant, scope: 'b c' }, narrowed)).body.scope).toBe('b c');
  });
});
