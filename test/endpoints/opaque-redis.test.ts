/**
 * Opaque tokens on a shared Redis store (issue 11, "Stores"): a token issued by instance A
 * resolves at instance B, and revoked at B it is inactive at A.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { RedisServer } from '../helpers/redis.js';
import { postForm } from './helpers.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789', RS_SECRET: 'rs-secret-0123456789' };
const CONFIG = `
issuer: http://127.0.0.1:8080
store: { type: redis, url: "\${env.REDIS_URL}", prefix: "opaque-test:" }
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: p
  - client_id: rs
    client_secret: \${env.RS_SECRET}
    introspection: true
pipes:
  - id: p
    valves:
      - name: ClientAuthenticate
      - name: ScopeCheck
      - name: CreateOpaqueToken
      - name: TokenResponse
`;

let redis: RedisServer;
const running: Running[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  const env = { ...ENV, REDIS_URL: redis.url };
  running.push(...(await Promise.all([serve(CONFIG, { env }), serve(CONFIG, { env })])));
});
afterAll(async () => {
  await Promise.all(running.map(async (r) => {
    await r.close();
    await r.engine.verifyContext.store.close?.();
  }));
  await redis?.stop();
});

async function introspect(url: string, token: string) {
  const answer = await postForm(url, '/introspect', { token }, { authorization: basic('rs', ENV.RS_SECRET) });
  return JSON.parse(answer.text) as Record<string, unknown>;
}

describe('opaque tokens on one Redis', () => {
  it('a token from A is active at B; revoked at B, it is inactive at A', async () => {
    const [a, b] = running as [Running, Running];
    const issued = await postToken(a.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', ENV.SVC_SECRET) });
    expect(issued.status).toBe(200);
    const token = issued.body.access_token as string;
    expect(await introspect(b.url, token)).toMatchObject({ active: true, client_id: 'svc', scope: 'orders.read' });
    const revoked = await postForm(b.url, '/revoke', { token }, { authorization: basic('svc', ENV.SVC_SECRET) });
    expect(revoked.status).toBe(200);
    expect(await introspect(a.url, token)).toEqual({ active: false });
    expect(await introspect(b.url, token)).toEqual({ active: false });
  });
});
