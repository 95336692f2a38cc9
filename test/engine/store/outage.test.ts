/**
 * A Redis outage under traffic: requests that need the store get 503
 * temporarily_unavailable with Retry-After at once (never a hang, never a 500), those
 * that need no state keep getting tokens, and everything works again once Redis is back,
 * without a restart. A paused Redis (accepts, never answers) is a 503 too, after the
 * command timeout. Fetches carry an abort deadline far below server.request_timeout, so
 * a hang fails the test instead of turning into the server's own 503.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOAuthError } from '../../../engine/errors.js';
import { createRedisClient } from '../../../engine/store/redis-client.js';
import { RedisStore } from '../../../engine/store/redis.js';
import { createLogger } from '../../../engine/logger.js';
import { basic, LogCapture, serve, type Running } from '../../helpers/sluice.js';
import { RedisServer } from '../../helpers/redis.js';
import { assertion, assertionForm, rsaKeyPair, type KeyPair } from '../client-auth/assertion-kit.js';

const NO_HANG_MS = 5000;
const SECRET = 'stateless-secret-0123456789';

let redis: RedisServer;
let server: Running;
let key: KeyPair;

function config(): string {
  return `
issuer: http://127.0.0.1:8080
server: { request_timeout: 60 }
store: { type: redis, url: "\${env.REDIS_URL}", prefix: "outage:" }
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: keyed
    token_endpoint_auth_method: private_key_jwt
    jwks: ${JSON.stringify({ keys: [key.publicJwk] })}
    client_credentials_pipe_id: m2m
  - client_id: stateless
    client_secret: \${env.SECRET}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
}

beforeAll(async () => {
  [redis, key] = await Promise.all([RedisServer.start(), rsaKeyPair('keyed')]);
  server = await serve(config(), { env: { REDIS_URL: redis.url, SECRET } });
});
afterAll(async () => {
  await server?.close();
  await server?.engine.verifyContext.store.close?.();
  await redis?.stop();
});

async function post(form: Record<string, string>, headers: Record<string, string> = {}) {
  const started = performance.now();
  const response = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(NO_HANG_MS),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}

const withAssertion = async () => post(assertionForm(await assertion({ clientId: 'keyed', audience: `${server.engine.issuer}/token`, key: key.privateKey })));
const withSecret = () => post({ grant_type: 'client_credentials' }, { authorization: basic('stateless', SECRET) });

async function until<T>(attempt: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 15_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('Redis outage under traffic', () => {
  it('stopped: 503 temporarily_unavailable with Retry-After where state is needed; stateless issuance goes on; recovers when Redis returns', async () => {
    expect((await withAssertion()).status).toBe(200);

    await redis.stop();
    const refused = await Promise.all(Array.from({ length: 5 }, withAssertion));
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.body.error).toBe('temporarily_unavailable');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    console.log(`outage answered in ${refused.map((r) => r.ms.toFixed(1)).join(', ')} ms`);
    expect((await withSecret()).status).toBe(200); // no state needed: still served

    await redis.start();
    const back = performance.now();
    const recovered = await until(withAssertion, (r) => r.status === 200);
    console.log(`served again ${(performance.now() - back).toFixed(0)} ms after Redis answered`);
    expect(recovered.status).toBe(200);
    const logged = server.logs.lines.map((l) => l.event);
    expect(logged).toContain('store_unavailable');
    expect(logged).toContain('store_recovered');
    expect(server.logs.text).not.toContain('client_assertion='); // assertions are never logged
  });

  it('paused (accepts, never answers): 503 after the command timeout, not a hang; works once resumed', async () => {
    await until(withAssertion, (r) => r.status === 200);
    redis.pause();
    try {
      const refused = await withAssertion();
      expect(refused.status).toBe(503);
      expect(refused.body.error).toBe('temporarily_unavailable');
      console.log(`paused Redis answered in ${refused.ms.toFixed(1)} ms`);
    } finally {
      redis.resume();
    }
    expect((await until(withAssertion, (r) => r.status === 200)).status).toBe(200);
  });
});

describe('Redis store calls during an outage', () => {
  it('reject with an OAuthError 503 (not a hang), then succeed once Redis is back', async () => {
    const store = new RedisStore(() => createRedisClient({ type: 'redis', url: redis.url, prefix: 'direct:' }), 'redis under test');
    try {
      expect(await store.putIfAbsent(randomUUID(), 60)).toBe(true);
      await redis.stop();
      for (const call of [() => store.putIfAbsent(randomUUID(), 60), () => store.get('k'), () => store.set('k', 'v', 60), () => store.delete('k'), () => store.increment('c', 60)]) {
        const started = performance.now();
        const error: unknown = await call().then(() => undefined, (e: unknown) => e);
        console.log(`store call during the outage failed in ${(performance.now() - started).toFixed(2)} ms`);
        expect(isOAuthError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'temporarily_unavailable', status: 503, headers: { 'retry-after': expect.any(String) } });
      }
      await redis.start();
      const ok = await until(() => store.putIfAbsent(randomUUID(), 60).catch(() => false), (v) => v);
      expect(ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('a store whose Redis was never up fails its first call with 503, not a hang', async () => {
    const dead = await RedisServer.start();
    await dead.stop(); // a port where nothing listens
    const store = new RedisStore(() => createRedisClient({ type: 'redis', url: dead.url }), 'nothing there');
    try {
      await expect(store.putIfAbsent('k', 60)).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503 });
      await expect(store.get('k')).rejects.toMatchObject({ code: 'temporarily_unavailable' });
    } finally {
      await store.close();
    }
  });

  it('a wrong password is a 503 too, its cause in the log without the password', async () => {
    const guarded = await RedisServer.start({ password: 'right-password-1' });
    const logs = new LogCapture();
    const store = new RedisStore(() => createRedisClient({ type: 'redis', url: `redis://:wrong-password-2@127.0.0.1:${guarded.port}` }), 'guarded', createLogger('info', logs));
    try {
      const error: unknown = await store.putIfAbsent('k', 60).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'temporarily_unavailable', status: 503 });
      expect(logs.lines.map((l) => l.event)).toContain('store_unavailable');
      expect(logs.text + String((error as { detail?: string }).detail)).not.toContain('wrong-password-2');
    } finally {
      await store.close();
      await guarded.stop();
    }
  });
});
