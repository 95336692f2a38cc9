/**
 * GET and POST /userinfo with a bearer token (RFC 6750), called as curl would call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS, ordersToken, serveLifecycle, type Lifecycle } from './helpers.js';

let server: Lifecycle;
let other: Lifecycle;
beforeAll(async () => {
  [server, other] = await Promise.all([serveLifecycle(), serveLifecycle()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), other?.close()]);
});

async function userinfo(headers: Record<string, string>, method: 'GET' | 'POST' = 'GET', path = '/userinfo') {
  const response = await fetch(`${server.url}${path}`, { method, headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('userinfo', () => {
  it('curl -H "Authorization: Bearer $TOKEN" /userinfo: sub, client_id and the token claims', async () => {
    const token = await ordersToken(server.url, 'orders.read orders.write');
    for (const method of ['GET', 'POST'] as const) {
      const answer = await userinfo({ authorization: `Bearer ${token}` }, method);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.body).toMatchObject({ sub: ORDERS.id, client_id: ORDERS.id, scope: 'orders.read orders.write', appid: 'orders', roles: ['order-reader'], iss: server.url });
    }
  });

  it('no token: 401 with a bare Bearer challenge (RFC 6750 section 3.1)', async () => {
    const cases: Array<Record<string, string>> = [{}, { authorization: 'Basic b3JkZXJzOnNlY3JldA==' }];
    for (const headers of cases) {
      const answer = await userinfo(headers);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(answer.headers.get('www-authenticate')).not.toContain('error=');
    }
  });

  it('a bad, foreign or expired token: 401 invalid_token', async () => {
    const foreign = await ordersToken(other.url);
    const expiring = await ordersToken(server.url);
    const cases = ['garbage', 'Bearer', foreign];
    for (const token of cases) {
      const answer = await userinfo({ authorization: `Bearer ${token}` });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(answer.body.error).toBe('invalid_token');
    }
    server.clock.seconds += 11 * 60;
    try {
      const answer = await userinfo({ authorization: `Bearer ${expiring}` });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      server.clock.seconds -= 11 * 60;
    }
  });

  it('a token in the URL query is not accepted', async () => {
    const token = await ordersToken(server.url);
    const answer = await userinfo({}, 'GET', `/userinfo?access_token=${token}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
    expect(server.logs.text).not.toContain(token.split('.')[2]);
  });

  it('logs one line per request and never the token', async () => {
    const token = await ordersToken(server.url);
    const before = server.logs.lines.length;
    await userinfo({ authorization: `Bearer ${token}` });
    await userinfo({ authorization: 'Bearer not-a-token-value' });
    const lines = server.logs.lines.slice(before).filter((line) => line.event === 'userinfo');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ client_id: ORDERS.id, outcome: 'answered' });
    expect(lines[1]).toMatchObject({ error: 'invalid_token' });
    expect(server.logs.text).not.toContain(token.split('.')[2]);
    expect(server.logs.text).not.toContain('not-a-token-value');
  });
});
