/**
 * `sluice serve` reloads without dropping a request (a real process, real signals, real
 * files). Proven: under continuous load from concurrent keep-alive clients, SIGHUP and
 * --watch swap configs with zero failed requests, and the tokens after each swap carry the
 * new config (a new client, a changed claim), all verified with jose against /jwks; an
 * invalid config is refused with the `check` lines (stderr and the log) while the old one
 * serves; the memory store survives (a replayed assertion stays refused, a revoked token
 * stays revoked); the `generated` key survives; a `${file.…}` file replaced by rename (as
 * editors save) is picked up by --watch; a changed listener setting is kept and named.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertion, ASSERTION_TYPE, ecKeyPair, type KeyPair } from '../engine/client-auth/assertion-kit.js';
import { basic } from '../helpers/sluice.js';
import { removeTempDirs, requireBuild, serve, sluice, trackedTempDir, type Served } from './cli.js';
import { claims, postOn, startLoad, until, type Answer } from './reload-kit.js';
import { logLines } from './workers.js';

const S = 'reload-secret-0123456789';

interface Shape {
  version: number;
  /** client_ids of further clients of the jwt pipe. */
  extra?: string[];
  /** A misspelt key in CreateJwt's config (an error at its line). */
  typo?: boolean;
  /** server.host (the tests listen on 127.0.0.1). */
  host?: string;
}

function config(shape: Shape): string {
  const extra = (shape.extra ?? []).map((id) => `  - { client_id: ${id}, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: jwt }\n`).join('');
  return `keystores: [{ id: dev, type: generated, alg: ES256 }]
${shape.host === undefined ? '' : `server: { host: "${shape.host}" }\n`}rps:
  - { client_id: steady, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: jwt }
  - { client_id: resource-server, client_secret: "\${env.S}", introspection: true }
  - client_id: keyed
    token_endpoint_auth_method: private_key_jwt
    jwks: { keys: [${JSON.stringify(clientKey.publicJwk)}] }
    scopes: [a]
    client_credentials_pipe_id: jwt
${extra}pipes:
  - id: jwt
    valves:
      - { name: ScopeCheck }
      - name: CreateJwt
        config:
          keystore: dev
          ${shape.typo ? 'jwt_claimz' : 'jwt_claims'}: { version: ${shape.version}, tier: "\${file.claims/tier.txt}" }
      - { name: TokenResponse }
`;
}

let dir: string;
let server: Served;
let clientKey: KeyPair;
let version = 0;

const file = () => join(dir, 'sluice.yaml');
const write = (shape: Shape) => writeFileSync(file(), config(shape));
const agent = new Agent({ keepAlive: true });
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => postOn(agent, `${server.url}${path}`, form, headers);
const token = (client: string): Promise<Answer> => post('/token', { grant_type: 'client_credentials' }, { authorization: basic(client, S) });
const events = (event: string) => logLines(server).filter((l) => l.event === event);
async function publishedKeys() {
  return (await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet;
}
/** SIGHUP, then wait until a token of `steady` carries `version`. */
async function reloadTo(shape: Shape): Promise<void> {
  write(shape);
  server.child.kill('SIGHUP');
  await until(async () => {
    const answer = await token('steady');
    return answer.status === 200 && claims(String(answer.body.access_token)).version === shape.version;
  }, `a token with version ${shape.version}`);
  version = shape.version;
}

beforeAll(async () => {
  requireBuild();
  dir = trackedTempDir();
  clientKey = await ecKeyPair('keyed-1');
  mkdirSync(join(dir, 'claims'));
  writeFileSync(join(dir, 'claims', 'tier.txt'), 'gold\n');
  write({ version });
  server = await serve('sluice.yaml', { cwd: dir, env: { S }, extraArgs: ['--watch'] });
}, 30_000);
afterAll(() => {
  agent.destroy();
  server?.kill();
  removeTempDirs();
});

describe('sluice serve: reload', () => {
  it('under continuous keep-alive load, SIGHUP and --watch reloads fail no request; tokens after each swap carry the new config', async () => {
    const jwksBefore = await publishedKeys();
    const load = startLoad(4, (a) => postOn(a, `${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic('steady', S) }));
    const seen = (check: (c: Record<string, unknown>) => boolean) => load.tokens.some((t) => check(claims(t)));
    try {
      await until(() => seen((c) => c.version === 0), 'the load is under way');
      for (const v of [1, 2, 3]) {
        write({ version: v, extra: [`new-${v}`] });
        server.child.kill('SIGHUP');
        await until(() => seen((c) => c.version === v), `the load sees version ${v}`);
        const fresh = await token(`new-${v}`);
        expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
        expect(claims(String(fresh.body.access_token))).toMatchObject({ client_id: `new-${v}`, version: v });
      }
      // --watch alone: the included file changes, no signal.
      writeFileSync(join(dir, 'claims', 'tier.txt'), 'platinum\n');
      await until(() => seen((c) => c.tier === 'platinum'), 'the load sees tier platinum');
    } finally {
      await load.stop();
    }
    version = 3;
    expect(load.failures).toEqual([]);
    // Every version was served to the load: it ran across every swap.
    expect(new Set(load.tokens.map((t) => claims(t).version))).toEqual(new Set([0, 1, 2, 3]));
    expect(events('reloaded').map((l) => l.trigger)).toEqual(expect.arrayContaining(['SIGHUP', 'watch']));
    expect(events('reload_failed')).toEqual([]);
    // All verify against /jwks, fetched before and after: one key throughout.
    const jwksAfter = await publishedKeys();
    expect(jwksAfter).toEqual(jwksBefore);
    const keys = createLocalJWKSet(jwksAfter);
    for (const t of load.tokens) await jwtVerify(t, keys, { issuer: server.url, typ: 'at+jwt' });
  }, 120_000);

  it('an invalid config is refused with the check lines on stderr and in the log; the previous one keeps serving', async () => {
    write({ version: 99, typo: true });
    const [checked, json] = await Promise.all([sluice(['check', 'sluice.yaml'], { cwd: dir, env: { S } }), sluice(['check', 'sluice.yaml', '--json'], { cwd: dir, env: { S } })]);
    expect(checked.code).toBe(1);
    const expected = checked.stdout.split('\n').filter((l) => l.includes(': error: '));
    expect(expected.length).toBeGreaterThan(0);
    const errors = (JSON.parse(json.stdout) as { diagnostics: Array<Record<string, unknown>> }).diagnostics.filter((d) => d.severity === 'error');
    const failedBefore = events('reload_failed').length;
    server.child.kill('SIGHUP');
    await until(() => events('reload_failed').length > failedBefore, 'reload_failed in the log');
    for (const line of expected) expect(server.stderr()).toContain(line);
    const [refused] = events('reload_failed').slice(failedBefore) as Array<{ diagnostics: Array<Record<string, unknown>> }>;
    expect(refused!.diagnostics).toEqual(errors.map(({ file, line, col, code, message }) => ({ file, line, col, code, message })));
    const answer = await token('steady');
    expect(answer.status).toBe(200);
    expect(claims(String(answer.body.access_token)).version).toBe(version);
    // Fixed, it applies.
    await reloadTo({ version: version + 1 });
  }, 60_000);

  it('the memory store survives a reload: a used assertion stays a replay, a revoked token stays revoked', async () => {
    const signed = await assertion({ clientId: 'keyed', audience: `${server.url}/token`, key: clientKey.privateKey, alg: 'ES256' });
    const form = { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: signed };
    expect((await post('/token', form)).status).toBe(200);
    const revoked = String((await token('steady')).body.access_token);
    expect((await post('/revoke', { token: revoked }, { authorization: basic('steady', S) })).status).toBe(200);

    await reloadTo({ version: version + 1 });

    expect(await post('/token', form)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await post('/introspect', { token: revoked }, { authorization: basic('resource-server', S) })).toEqual({ status: 200, body: { active: false } });
  }, 60_000);

  it('the generated key survives: a token from before the reload verifies against /jwks after it', async () => {
    const before = String((await token('steady')).body.access_token);
    await reloadTo({ version: version + 1 });
    const keys = createLocalJWKSet(await publishedKeys());
    const { protectedHeader } = await jwtVerify(before, keys, { issuer: server.url });
    const after = String((await token('steady')).body.access_token);
    expect((await jwtVerify(after, keys, { issuer: server.url })).protectedHeader.kid).toBe(protectedHeader.kid);
  }, 60_000);

  it('--watch picks up an included file replaced by rename, as editors save', async () => {
    const reloads = events('reloaded').length;
    writeFileSync(join(dir, 'claims', 'tier.txt.tmp'), 'silver\n');
    renameSync(join(dir, 'claims', 'tier.txt.tmp'), join(dir, 'claims', 'tier.txt'));
    await until(async () => claims(String((await token('steady')).body.access_token)).tier === 'silver', 'a token with tier silver');
    expect(events('reloaded').slice(reloads).map((l) => l.trigger)).toContain('watch');
  }, 60_000);

  it('a changed listener setting is kept and named: the server still answers where it listens', async () => {
    // Without an issuer, the issuer is made of host and port: it too stays what it was.
    await reloadTo({ version: version + 1, host: '127.0.0.2' });
    expect(events('reload_needs_restart').at(-1)).toMatchObject({ settings: ['server.host'] });
    expect(claims(String((await token('steady')).body.access_token)).iss).toBe(server.url);
  }, 60_000);
});
