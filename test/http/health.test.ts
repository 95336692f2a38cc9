/**
 * The probes: /healthz says the process answers; /readyz says whether to send it traffic
 * (keys sign, the store answers), and names the failing check when not. Both are served
 * under the issuer's path, never cached, never logged at info; a Redis that goes away
 * makes the server not ready (503 "store": "unreachable"), and ready again when it is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../helpers/redis.js';
import { BASIC_CONFIG, BASIC_ENV, serve, type Running } from '../helpers/sluice.js';

const servers: Running[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.close();
    await s.engine.verifyContext.store.close?.();
  }
});

async function sluice(yaml: string, env: Record<string, string> = BASIC_ENV): Promise<Running> {
  const s = await serve(yaml, { env });
  servers.push(s);
  return s;
}

async function get(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** Probe until the answer has `status` (readiness is re-checked at most once a second). */
async function readyzUntil(url: string, status: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await get(`${url}/readyz`);
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/healthz and /readyz', () => {
  it('/healthz: 200 {"status":"ok"}, no-store', async () => {
    const s = await sluice(BASIC_CONFIG);
    const answer = await get(`${s.url}/healthz`);
    expect(answer).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('/readyz: 200 with every check ok (the memory store, a generated key)', async () => {
    const s = await sluice(BASIC_CONFIG);
    const answer = await get(`${s.url}/readyz`);
    expect(answer).toMatchObject({ status: 200, body: { status: 'ready', checks: { keys: 'ok', store: 'ok', serving: 'ok' } } });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('every keystore type in use signs for the key check (RSA, EC, EdDSA side by side)', async () => {
    const yaml = BASIC_CONFIG.replace('keystores:\n', 'keystores:\n  - { id: rsa, type: generated, alg: PS256 }\n  - { id: ed, type: generated, alg: EdDSA, publish: false }\n');
    const s = await sluice(yaml);
    expect(await get(`${s.url}/readyz`)).toMatchObject({ status: 200, body: { checks: { keys: 'ok' } } });
  });

  it('probes are not logged at info, however often they are called', async () => {
    const s = await sluice(BASIC_CONFIG);
    const before = s.logs.lines.length;
    for (let i = 0; i < 3; i++) {
      await get(`${s.url}/healthz`);
      await get(`${s.url}/readyz`);
    }
    expect(s.logs.lines.slice(before)).toEqual([]);
  });

  it('HEAD works for both; other methods are 405 with Allow, in the OAuth error shape', async () => {
    const s = await sluice(BASIC_CONFIG);
    expect((await get(`${s.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    expect((await get(`${s.url}/readyz`, { method: 'HEAD' })).status).toBe(200);
    const post = await get(`${s.url}/healthz`, { method: 'POST', body: 'x' });
    expect(post).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('a query string or odd headers change nothing (a probe takes no input)', async () => {
    const s = await sluice(BASIC_CONFIG);
    expect(await get(`${s.url}/healthz?verbose=1&x=%00`, { headers: { 'x-forwarded-for': '10.0.0.1' } })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get(`${s.url}/readyz?checks=none`)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('are served under the issuer path, like the other endpoints', async () => {
    const s = await sluice(BASIC_CONFIG.replace('issuer: http://127.0.0.1:8080', 'issuer: http://127.0.0.1:8080/platform'));
    expect(await get(`${s.url}/platform/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get(`${s.url}/platform/readyz`)).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect((await get(`${s.url}/healthz`)).status).toBe(404);
  });

  it('server.overload: false serves without limits; the probes answer as usual', async () => {
    const s = await sluice(`server: { overload: false }\n${BASIC_CONFIG}`);
    expect(await get(`${s.url}/readyz`)).toMatchObject({ status: 200, body: { checks: { serving: 'ok' } } });
  });
});

describe('/readyz with a Redis store', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('is 503 "store": "unreachable" while Redis is down (healthz stays 200), and ready again once it is back', async () => {
    const yaml = `store: { type: redis, url: "\${env.REDIS_URL}", prefix: "readyz:" }\n${BASIC_CONFIG}`;
    const s = await sluice(yaml, { ...BASIC_ENV, REDIS_URL: redis.url });
    expect(await get(`${s.url}/readyz`)).toMatchObject({ status: 200, body: { checks: { store: 'ok' } } });

    await redis.stop();
    const down = await readyzUntil(s.url, 503);
    expect(down).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { keys: 'ok', store: 'unreachable', serving: 'ok' } } });
    expect(down.text).not.toContain(String(redis.port)); // no address of the store in the answer
    expect(down.headers.get('cache-control')).toBe('no-store');
    expect(await get(`${s.url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });

    await redis.start();
    expect(await readyzUntil(s.url, 200)).toMatchObject({ status: 200, body: { status: 'ready', checks: { store: 'ok' } } });
  }, 40_000);
});
