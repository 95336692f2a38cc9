/**
 * POST /revoke (RFC 7009): a client kills its own tokens; the deny-list is what
 * introspection and userinfo consult.
 */
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../engine/http/server.js';
import { loadConfigText } from '../../engine/load.js';
import { createLogger } from '../../engine/logger.js';
import { MemoryStore } from '../../engine/store/memory.js';
import type { Store } from '../../engine/store/types.js';
import { BASIC_ENV, basic, freePort, LogCapture } from '../helpers/sluice.js';
import { introspect, LIFECYCLE_CONFIG, ORDERS, ordersToken, POSTER, postForm, RESOURCE_SERVER, serveLifecycle, type Lifecycle } from './helpers.js';

let server: Lifecycle;
beforeAll(async () => {
  server = await serveLifecycle();
});
afterAll(async () => {
  await server?.close();
});

const insecure = { execute: [client.allowInsecureRequests] };

function userinfo(token: string) {
  return fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
}

describe('revocation', () => {
  it('tokenRevocation (openid-client) revokes: the token is then inactive and refused by userinfo', async () => {
    const token = await ordersToken(server.url);
    expect((await userinfo(token)).status).toBe(200);
    const config = await client.discovery(new URL(server.url), ORDERS.id, ORDERS.secret, client.ClientSecretBasic(ORDERS.secret), insecure);
    expect(config.serverMetadata().revocation_endpoint).toBe(`${server.url}/revoke`);
    await client.tokenRevocation(config, token, { token_type_hint: 'access_token' });
    expect((await introspect(server.url, token)).body).toEqual({ active: false });
    expect((await introspect(server.url, token, ORDERS)).body).toEqual({ active: false });
    const refused = await userinfo(token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    // Other tokens of the same client stay active.
    expect((await introspect(server.url, await ordersToken(server.url))).body.active).toBe(true);
  });

  it('an unknown, garbage or already revoked token answers 200 (RFC 7009 section 2.2)', async () => {
    const token = await ordersToken(server.url);
    for (const value of ['garbage', 'a.b.c', token, token]) {
      const answer = await postForm(server.url, '/revoke', { token: value }, { authorization: basic(ORDERS.id, ORDERS.secret) });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });

  it("revoking another client's token answers 200 and changes nothing", async () => {
    const token = await ordersToken(server.url);
    for (const form of [{ token, client_id: POSTER.id, client_secret: POSTER.secret }]) {
      expect((await postForm(server.url, '/revoke', form)).status).toBe(200);
    }
    // Not even a resource server revokes a token it did not get.
    expect((await postForm(server.url, '/revoke', { token }, { authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret) })).status).toBe(200);
    expect((await introspect(server.url, token)).body.active).toBe(true);
    expect((await userinfo(token)).status).toBe(200);
  });

  it('an unauthenticated caller gets the same 401 as at the token endpoint, and nothing is revoked', async () => {
    const token = await ordersToken(server.url);
    const cases: Array<Record<string, string>> = [{ authorization: basic(ORDERS.id, 'wrong-secret') }, { authorization: basic('no-such-client', 'x') }, {}];
    for (const headers of cases) {
      const atRevoke = await postForm(server.url, '/revoke', { token }, headers);
      const atToken = await postForm(server.url, '/token', { grant_type: 'client_credentials' }, headers);
      expect(atRevoke.status).toBe(401);
      expect(atRevoke.text).toBe(atToken.text);
      expect(atRevoke.headers.get('www-authenticate')).toBe(atToken.headers.get('www-authenticate'));
    }
    expect((await introspect(server.url, token)).body.active).toBe(true);
  });

  it('the deny-list entry is a hash, kept until the token would expire and no longer', async () => {
    const writes: Array<{ key: string; value: string; ttl: number }> = [];
    const memory = new MemoryStore({ now: () => Math.floor(Date.now() / 1000) });
    const recording: Store = {
      putIfAbsent: (key, ttl, value) => memory.putIfAbsent(key, ttl, value),
      get: (key) => memory.get(key),
      set: async (key, value, ttl) => {
        writes.push({ key, value, ttl });
        await memory.set(key, value, ttl);
      },
      delete: (key) => memory.delete(key),
      increment: (key, window) => memory.increment(key, window),
    };
    const port = await freePort();
    const { engine } = await loadConfigText('/tmp/lifecycle.yaml', LIFECYCLE_CONFIG, { env: { ...BASIC_ENV, RS_SECRET: RESOURCE_SERVER.secret }, logger: createLogger('info', new LogCapture()), store: recording, server: { port } });
    const app = createServer({ current: engine! });
    await app.listen({ host: '127.0.0.1', port });
    try {
      const url = `http://127.0.0.1:${port}`;
      const token = await ordersToken(url);
      expect(writes).toEqual([]); // issuing a JWT writes nothing
      const { exp, jti } = decodeJwt(token);
      await postForm(url, '/revoke', { token }, { authorization: basic(ORDERS.id, ORDERS.secret) });
      expect(writes).toHaveLength(1);
      const [write] = writes;
      expect(write!.key).toMatch(/^revoked:[A-Za-z0-9_-]{43}$/);
      expect(write!.key).not.toContain(jti!);
      const remaining = exp! - Math.floor(Date.now() / 1000);
      expect(write!.ttl).toBeGreaterThan(0);
      expect(write!.ttl).toBeLessThanOrEqual(remaining + 1);
    } finally {
      await app.close();
    }
  });

  it('logs one line per revocation, with what happened and never the token', async () => {
    const token = await ordersToken(server.url);
    const before = server.logs.lines.length;
    await postForm(server.url, '/revoke', { token }, { authorization: basic(ORDERS.id, ORDERS.secret) });
    const lines = server.logs.lines.slice(before).filter((line) => line.event === 'revoke');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ client_id: ORDERS.id, revocation: 'revoked', outcome: 'answered' });
    expect(server.logs.text).not.toContain(token.split('.')[2]);
  });
});
