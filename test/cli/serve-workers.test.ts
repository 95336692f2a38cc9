/**
 * `sluice serve --workers 2` acts as one server. Each request goes on a fresh connection,
 * which node:cluster hands to the workers in turn; which worker answered is read from the
 * log (each worker's lines carry its pid), never from the response. Proven: tokens from
 * both workers verify against one /jwks (one `generated` key, made by the primary); a
 * client assertion used at one worker is a replay at the other; a RateLimit budget and a
 * revocation hold across workers (the memory store lives in the primary), and TokenCache
 * never hands out a token revoked at another worker; a worker killed
 * with SIGKILL is replaced and signs with the same key; SIGTERM stops all, exit 0. And:
 * bad --workers values are usage errors, an invalid config exits 1 before any worker
 * starts, and --workers 1 is the one-process server.
 */
import { createServer, type AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertion, ASSERTION_TYPE, ecKeyPair, type KeyPair } from '../engine/client-auth/assertion-kit.js';
import { basic } from '../helpers/sluice.js';
import { fixtureDir, removeTempDirs, requireBuild, serve, sluice, trackedTempDir, waitFor, type Served } from './cli.js';
import { answeredBy, inTurn, logLines, postFresh } from './workers.js';

const S = 'workers-secret-0123456789';
const config = (jwk: unknown) => `
keystores: [{ id: dev, type: generated, alg: ES256 }]
rps:
  - { client_id: plain, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: jwt }
  - { client_id: limited, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: limited }
  - { client_id: resource-server, client_secret: "\${env.S}", introspection: true }
  - { client_id: cached, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: cached }
  - { client_id: cached-in-store, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: cached-in-store }
  - client_id: keyed
    token_endpoint_auth_method: private_key_jwt
    jwks: { keys: [${JSON.stringify(jwk)}] }
    scopes: [a]
    client_credentials_pipe_id: jwt
pipes:
  - { id: jwt, valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: dev } }, { name: TokenResponse }] }
  - { id: cached, valves: [{ name: ScopeCheck }, { name: TokenCache }, { name: CreateJwt, config: { keystore: dev } }, { name: TokenResponse }] }
  - { id: cached-in-store, valves: [{ name: ScopeCheck }, { name: TokenCache, config: { store: true } }, { name: CreateJwt, config: { keystore: dev } }, { name: TokenResponse }] }
  - id: limited
    valves:
      - { name: RateLimit, config: { limit: 3, window: 1h } }
      - { name: ScopeCheck }
      - { name: CreateJwt, config: { keystore: dev } }
      - { name: TokenResponse }
`;

let server: Served;
let clientKey: KeyPair;
let jwks: ReturnType<typeof createLocalJWKSet>;

const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => postFresh(server, path, form, headers);
const token = (client: string, form: Record<string, string> = {}) => post('/token', { grant_type: 'client_credentials', ...form }, { authorization: basic(client, S) });

beforeAll(async () => {
  requireBuild();
  const dir = trackedTempDir();
  clientKey = await ecKeyPair('keyed-1');
  writeFileSync(join(dir, 'sluice.yaml'), config(clientKey.publicJwk));
  server = await serve('sluice.yaml', { cwd: dir, env: { S }, extraArgs: ['--workers', '2'], startTimeoutMs: 60_000 });
  // Discovery answers once one worker listens; the primary says when both do.
  await waitFor(server.stdout, /"event":"workers_ready"/, server.exited, 60_000);
  const response = await fetch(`${server.url}/jwks`);
  jwks = createLocalJWKSet((await response.json()) as JSONWebKeySet);
}, 90_000);
afterAll(() => {
  server?.kill();
  removeTempDirs();
});

describe('sluice serve --workers 2: one server', () => {
  it('tokens issued by both workers all verify against /jwks fetched once (one generated key)', async () => {
    const answers = await inTurn(8, () => token('plain'));
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const { payload } = await jwtVerify(String(answer.body.access_token), jwks, { issuer: server.url, typ: 'at+jwt' });
      expect(payload.client_id).toBe('plain');
    }
    expect(answeredBy(server, (l) => l.event === 'token' && l.client_id === 'plain').size).toBe(2);
    // The pid is the log's, never the caller's.
    expect(JSON.stringify(answers)).not.toMatch(/pid|worker/);
  });

  it('a client assertion used at one worker is a replay at the other (invalid_client)', async () => {
    const signed = await assertion({ clientId: 'keyed', audience: `${server.url}/token`, key: clientKey.privateKey, alg: 'ES256' });
    const form = { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: signed };
    const [first, ...replays] = await inTurn(4, () => post('/token', form));
    expect(first!.status, JSON.stringify(first!.body)).toBe(200);
    for (const replay of replays) expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(answeredBy(server, (l) => l.event === 'token' && l.client_id === 'keyed').size).toBe(2);
  });

  it('a RateLimit budget is counted once across workers', async () => {
    const answers = await inTurn(6, () => token('limited'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429, 429]);
    expect(answers[3]!.body.error).toBe('temporarily_unavailable');
    expect(answeredBy(server, (l) => l.event === 'token' && l.client_id === 'limited').size).toBe(2);
  });

  it('a token revoked at one worker is inactive at every worker', async () => {
    const issued = await token('plain');
    const revokedToken = String(issued.body.access_token);
    const before = logLines(server).length;
    expect((await post('/revoke', { token: revokedToken }, { authorization: basic('plain', S) })).status).toBe(200);
    const answers = await inTurn(4, () => post('/introspect', { token: revokedToken }, { authorization: basic('resource-server', S) }));
    for (const answer of answers) expect(answer).toEqual({ status: 200, body: { active: false } });
    expect(answeredBy(server, (l) => l.event === 'introspect', before).size).toBe(2);
  });

  it('TokenCache in memory (one per worker): a token revoked at one worker is handed out by none', async () => {
    const before = logLines(server).length;
    const first = (await inTurn(4, () => token('cached'))).map((a) => String(a.body.access_token));
    expect(answeredBy(server, (l) => l.event === 'token' && l.client_id === 'cached', before).size).toBe(2);
    const cached = new Set(first);
    expect(cached.size).toBeLessThanOrEqual(2); // each worker issues once, then reuses its own
    for (const revoked of cached) expect((await post('/revoke', { token: revoked }, { authorization: basic('cached', S) })).status).toBe(200);
    const after = (await inTurn(4, () => token('cached'))).map((a) => String(a.body.access_token));
    for (const answered of after) {
      expect(cached.has(answered)).toBe(false);
      await jwtVerify(answered, jwks);
    }
  });

  it('TokenCache with store: true: every worker hands out the one token; once revoked, one fresh token', async () => {
    const before = logLines(server).length;
    const first = (await inTurn(4, () => token('cached-in-store'))).map((a) => String(a.body.access_token));
    expect(answeredBy(server, (l) => l.event === 'token' && l.client_id === 'cached-in-store', before).size).toBe(2);
    expect(new Set(first).size).toBe(1);
    expect((await post('/revoke', { token: first[0]! }, { authorization: basic('cached-in-store', S) })).status).toBe(200);
    const after = (await inTurn(4, () => token('cached-in-store'))).map((a) => String(a.body.access_token));
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(first[0]);
    await jwtVerify(after[0]!, jwks);
  });

  it('a worker killed with SIGKILL is replaced; the new one signs with the same key', async () => {
    const listening = () => logLines(server).filter((l) => l.process === 'worker' && l.event === 'listening');
    const victim = listening()[0]!.pid as number;
    process.kill(victim, 'SIGKILL');
    await waitFor(server.stdout, /"event":"worker_exited"[^\n]*"signal":"SIGKILL"/, server.exited, 30_000);
    for (const deadline = Date.now() + 60_000; listening().length < 3; ) {
      if (Date.now() > deadline) throw new Error(`no replacement worker:\n${server.stdout()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const replacement = listening()[2]!.pid;
    expect(replacement).not.toBe(victim);
    const answers = await inTurn(4, () => token('plain'));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      await jwtVerify(String(answer.body.access_token), jwks, { issuer: server.url }); // the /jwks fetched before the kill
    }
    expect(answeredBy(server, (l) => l.event === 'token' && l.pid === replacement).size).toBe(1);
  }, 90_000);

  it('SIGTERM stops every worker and the primary, exit 0', async () => {
    const workers = [...answeredBy(server, (l) => l.event === 'listening')] as number[];
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(logLines(server).filter((l) => l.event === 'worker_stopped').map((l) => l.code)).toEqual([0, 0]);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow(); // gone
  }, 60_000);
});

describe('sluice serve --workers: usage and refusals', () => {
  it.concurrent.each([['0'], ['-1'], ['two'], ['257']])('--workers %j is a usage error (exit 2)', async (value) => {
    const result = await sluice(['serve', '--workers', value, '--port', '0'], { timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sluice: .*--workers/);
    expect(result.stdout).toBe('');
  }, 40_000);

  it('an invalid config exits 1 with the check lines, before any worker starts', async () => {
    const dir = fixtureDir();
    const [served, checked] = await Promise.all([
      sluice(['serve', 'broken.yaml', '--workers', '2', '--port', '0'], { cwd: dir, timeoutMs: 30_000 }),
      sluice(['check', 'broken.yaml'], { cwd: dir, timeoutMs: 30_000 }),
    ]);
    expect(served.code).toBe(1);
    expect(checked.code).toBe(1);
    const errors = (text: string) => text.split('\n').filter((l) => l.includes(': error: '));
    expect(errors(served.stderr)).toEqual(errors(checked.stdout));
    expect(errors(served.stderr).length).toBeGreaterThan(0);
    expect(served.stdout + served.stderr).not.toMatch(/worker/);
  }, 40_000);

  it('a port that is taken: the first worker says so, and the server stops, exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const result = await sluice(['serve', '--workers', '2', '--port', String(port)], { timeoutMs: 60_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} is in use`);
      expect(result.stdout).not.toMatch(/workers_ready/);
    } finally {
      taken.close();
    }
  }, 70_000);

  it('--workers 1 is the one-process server: no cluster, log lines as without the flag', async () => {
    const dir = trackedTempDir();
    writeFileSync(join(dir, 'sluice.yaml'), config((await ecKeyPair('k')).publicJwk));
    const one = await serve('sluice.yaml', { cwd: dir, env: { S }, extraArgs: ['--workers', '1'], startTimeoutMs: 60_000 });
    try {
      const response = await fetch(`${one.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('plain', S) }, body: 'grant_type=client_credentials' });
      expect(response.status).toBe(200);
      await waitFor(one.stdout, /"event":"token"/, one.exited);
      expect(one.stdout()).not.toMatch(/"process":|"pid":|workers_ready/);
      one.child.kill('SIGTERM');
      expect(await one.exited).toEqual({ code: 0, signal: null });
    } finally {
      one.kill();
    }
  }, 90_000);
});
