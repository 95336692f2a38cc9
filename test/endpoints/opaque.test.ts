/**
 * Opaque (reference) access tokens from CreateOpaqueToken (issue 11): not a JWT, resolved
 * by introspection and userinfo, deleted by revocation, and kept in the store only as a
 * hash of the token.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BASIC_ENV, basic, load, postToken, serve } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';
import { introspect, LIFECYCLE_CONFIG, ORDERS, POSTER, postForm, RESOURCE_SERVER, TestClock, type Lifecycle } from './helpers.js';

// orders-service gets opaque tokens (30 minutes, flow.claims unused); poster keeps JWTs.
const OPAQUE_CONFIG = LIFECYCLE_CONFIG.replace(
  /(client_id: orders-service[\s\S]*?client_credentials_pipe_id: )m2m-jwt/,
  '$1m2m-opaque',
).replace(
  '\npipes:\n',
  `\npipes:\n  - id: m2m-opaque\n    valves:\n      - name: ClientAuthenticate\n      - name: ScopeCheck\n      - name: CreateOpaqueToken\n        config: { ttl: 30m }\n      - name: TokenResponse\n`,
);

let server: Lifecycle;
beforeAll(async () => {
  const clock = new TestClock();
  server = { ...(await serve(OPAQUE_CONFIG, { env: { ...BASIC_ENV, RS_SECRET: RESOURCE_SERVER.secret }, now: clock.now })), clock };
});
afterAll(async () => {
  await server?.close();
});

async function opaqueToken(scope = 'orders.read') {
  const response = await postToken(server.url, { grant_type: 'client_credentials', scope }, { authorization: basic(ORDERS.id, ORDERS.secret) });
  expect(response.status).toBe(200);
  return response;
}

/** orders-service authenticates with client_secret_basic, poster with client_secret_post. */
async function revoke(token: string, who: { id: string; secret: string }) {
  if (who.id === POSTER.id) return postForm(server.url, '/revoke', { token, client_id: who.id, client_secret: who.secret });
  return postForm(server.url, '/revoke', { token }, { authorization: basic(who.id, who.secret) });
}

async function userinfo(token: string) {
  const response = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('CreateOpaqueToken', () => {
  it('issues a Bearer token that is not a JWT: at least 22 base64url characters, with expires_in from ttl', async () => {
    const { body } = await opaqueToken();
    const token = body.access_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(token.split('.')).toHaveLength(1);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1800, scope: 'orders.read' });
  });

  it('gives a different token each time', async () => {
    const [a, b] = await Promise.all([opaqueToken(), opaqueToken()]);
    expect(a.body.access_token).not.toBe(b.body.access_token);
  });

  it('introspection: active, with client_id, sub, scope, exp and the other claims', async () => {
    const token = (await opaqueToken('orders.read orders.write')).body.access_token as string;
    const answer = await introspect(server.url, token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      active: true,
      token_type: 'Bearer',
      client_id: ORDERS.id,
      sub: ORDERS.id,
      scope: 'orders.read orders.write',
      iss: server.url,
      aud: ['https://api.example.com', 'https://billing.example.com'],
      exp: server.clock.seconds + 1800,
      iat: server.clock.seconds,
    });
    expect(typeof answer.body.jti).toBe('string');
    // The client that holds it may introspect it too.
    expect((await introspect(server.url, token, ORDERS)).body).toMatchObject({ active: true, client_id: ORDERS.id });
  });

  it('introspection: an unknown value of the same shape is {"active": false}', async () => {
    const token = (await opaqueToken()).body.access_token as string;
    const unknown = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const value of [unknown, 'x'.repeat(22), 'short']) expect((await introspect(server.url, value)).body).toEqual({ active: false });
  });

  it('userinfo answers the claims of an opaque token, and 401 invalid_token for an unknown one', async () => {
    const token = (await opaqueToken()).body.access_token as string;
    const answer = await userinfo(token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sub: ORDERS.id, client_id: ORDERS.id, scope: 'orders.read' });
    const unknown = await userinfo('A'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_token');
  });

  it('revocation by its client makes it inactive everywhere; another client cannot revoke it', async () => {
    const token = (await opaqueToken()).body.access_token as string;
    expect((await revoke(token, POSTER)).status).toBe(200);
    expect((await introspect(server.url, token)).body.active).toBe(true);
    expect((await revoke(token, ORDERS)).status).toBe(200);
    expect((await introspect(server.url, token)).body).toEqual({ active: false });
    expect((await userinfo(token)).status).toBe(401);
    expect((await revoke(token, ORDERS)).status).toBe(200); // again: nothing left, still 200 (RFC 7009 section 2.2)
  });

  it('the store holds only a hash of the token: no key or value contains it', async () => {
    const store = server.engine.verifyContext.store;
    const set = vi.spyOn(store, 'set');
    try {
      const token = (await opaqueToken()).body.access_token as string;
      expect(set).toHaveBeenCalledTimes(1);
      const [key, value, ttl] = set.mock.calls[0]!;
      expect(key).not.toContain(token);
      expect(value).not.toContain(token);
      expect(ttl).toBe(1800);
      expect(JSON.parse(value)).toMatchObject({ client_id: ORDERS.id, exp: server.clock.seconds + 1800 });
      expect(await store.get(token)).toBeUndefined();
    } finally {
      set.mockRestore();
    }
  });

  it('honours ttl: active until exp, inactive from exp on', async () => {
    const token = (await opaqueToken()).body.access_token as string;
    server.clock.seconds += 1799;
    expect((await introspect(server.url, token)).body.active).toBe(true);
    server.clock.seconds += 1;
    expect((await introspect(server.url, token)).body).toEqual({ active: false });
    expect((await userinfo(token)).status).toBe(401);
  });
});

describe('CreateOpaqueToken config', () => {
  const config = (ttl?: string) => `
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - name: CreateOpaqueToken${ttl === undefined ? '' : `\n        config: { ttl: ${ttl} }`}
      - name: TokenResponse
`;
  const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

  it('defaults ttl to one hour', async () => {
    const s = await serve(config(), { env: ENV });
    try {
      const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', ENV.SVC_SECRET) });
      expect(r.status).toBe(200);
      expect(r.body.expires_in).toBe(3600);
    } finally {
      await s.close();
    }
  });

  it.each(['366d', '525601', 'soon'])('refuses ttl %s at its value', async (ttl) => {
    const yaml = config(ttl);
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject(positionOf(yaml, ttl));
    expect(['schema', 'valve_config']).toContain(errors[0]!.code);
  });
});
