/**
 * Two `sluice serve` processes on one Redis act as one server (issue 11): a JWT issued by
 * A is active when introspected at B, revoked at B and then inactive at A; an opaque token
 * issued by A resolves at B. They share one signing key file, as instances behind a load
 * balancer must (a `generated` key differs per process).
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, serve as serveCli, trackedTempDir, type Served } from '../../cli/cli.js';
import { basic, postToken } from '../../helpers/sluice.js';
import { RedisServer } from '../../helpers/redis.js';

const ISSUER = 'http://127.0.0.1:8080';
const S = 'instance-secret-0123456789';
const CONFIG = `
issuer: ${ISSUER}
store: { type: redis, url: "\${env.REDIS_URL}", prefix: "multi:" }
keystores: [{ id: signing, type: pem, path: signing.pem }]
rps:
  - { client_id: jwt-client, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: jwt }
  - { client_id: opaque-client, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: opaque }
  - { client_id: resource-server, client_secret: "\${env.S}", introspection: true }
pipes:
  - { id: jwt, valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
  - { id: opaque, valves: [{ name: ScopeCheck }, { name: CreateOpaqueToken }, { name: TokenResponse }] }
`;

let redis: RedisServer;
let a: Served;
let b: Served;

async function post(url: string, path: string, form: Record<string, string>, client: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client, S) }, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  requireBuild();
  redis = await RedisServer.start();
  const dir = trackedTempDir();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'signing.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'sluice.yaml'), CONFIG);
  const env = { REDIS_URL: redis.url, S };
  [a, b] = await Promise.all([serveCli('sluice.yaml', { cwd: dir, env }), serveCli('sluice.yaml', { cwd: dir, env })]);
}, 60_000);
afterAll(async () => {
  a?.kill();
  b?.kill();
  removeTempDirs();
  await redis?.stop();
});

describe('two sluice serve processes on one Redis', () => {
  it('a JWT from A is active at B; revoked at B, it is inactive at A', async () => {
    const issued = await postToken(a.url, { grant_type: 'client_credentials' }, { authorization: basic('jwt-client', S) });
    expect(issued.status).toBe(200);
    const token = String(issued.body.access_token);
    expect((await post(b.url, '/introspect', { token }, 'resource-server')).body).toMatchObject({ active: true, client_id: 'jwt-client' });
    expect((await post(b.url, '/revoke', { token }, 'jwt-client')).status).toBe(200);
    expect((await post(a.url, '/introspect', { token }, 'resource-server')).body).toEqual({ active: false });
  });

  it('an opaque token from A resolves at B', async () => {
    const issued = await postToken(a.url, { grant_type: 'client_credentials' }, { authorization: basic('opaque-client', S) });
    expect(issued.status).toBe(200);
    const token = String(issued.body.access_token);
    expect(token.split('.')).toHaveLength(1); // not a JWT
    expect((await post(b.url, '/introspect', { token }, 'resource-server')).body).toMatchObject({ active: true, client_id: 'opaque-client', scope: 'a' });
    const userinfo = await fetch(`${b.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    expect(userinfo.status).toBe(200);
  });
});
