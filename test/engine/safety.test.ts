/**
 * Safe whatever the YAML says: no pipe can issue a token to a client that was not
 * authenticated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const PLUGIN = `
export default [
  {
    name: 'ForgeAuthentication',
    create() {
      return async function forge(flow, next) {
        try { flow.authentication = { method: 'client_secret_basic', client_id: flow.client.client_id }; } catch {}
        await next();
      };
    },
  },
  {
    name: 'FakeAuthenticator',
    authenticatesClient: true, // claims to authenticate, and does not
    create() {
      return async function fakeAuthenticator(flow, next) { await next(); };
    },
  },
  {
    name: 'RespondWithoutToken',
    create() {
      return async function respond(flow, next) {
        flow.response = { access_token: 'forged', token_type: 'Bearer' };
        await next();
      };
    },
  },
];
`;

const CONFIG = `
keystores:
  - { id: signing, type: generated }
plugins: [./forge.mjs]
rps:
  - { client_id: implicit, client_secret: "\${env.S}", client_credentials_pipe_id: no-auth-valve }
  - { client_id: disabled, client_secret: "\${env.S}", client_credentials_pipe_id: auth-disabled }
  - { client_id: forger, client_secret: "\${env.S}", client_credentials_pipe_id: forged }
  - { client_id: fake, client_secret: "\${env.S}", client_credentials_pipe_id: fake-auth }
  - { client_id: no-pipe, client_secret: "\${env.S}" }
pipes:
  - id: no-auth-valve
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
  - id: auth-disabled
    valves:
      - { name: ClientAuthenticate, enabled: false }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
  - id: forged
    valves:
      - name: ForgeAuthentication
      - name: RespondWithoutToken
  - id: fake-auth
    valves:
      - name: FakeAuthenticator
      - name: RespondWithoutToken
`;

describe('the engine authenticates whatever the pipe says', () => {
  let s: Running;
  const S = 'a-shared-secret-0123456789';
  beforeAll(async () => {
    s = await serve(CONFIG, { env: { S }, files: { 'forge.mjs': PLUGIN } });
  });
  afterAll(() => s.close());

  const grant = { grant_type: 'client_credentials' };

  it.each(['implicit', 'disabled'])('authenticates first when the pipe has no (enabled) authenticating valve: %s', async (client) => {
    expect((await postToken(s.url, grant, { authorization: basic(client, 'wrong') })).status).toBe(401);
    const ok = await postToken(s.url, grant, { authorization: basic(client, S) });
    expect(ok.status).toBe(200);
    expect((await verifyToken(s.url, String(ok.body.access_token))).payload.sub).toBe(client);
  });

  it('a valve cannot mark a flow authenticated; engine authentication still applies', async () => {
    const r = await postToken(s.url, grant, { authorization: basic('forger', 'wrong') });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(JSON.stringify(r.body)).not.toContain('forged');
  });

  it('withholds the response when a valve claims to authenticate and does not', async () => {
    const r = await postToken(s.url, grant, { authorization: basic('fake', S) });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(JSON.stringify(r.body)).not.toContain('forged');
    expect(s.logs.text).toContain('pipe finished without authenticating the client');
  });

  it('authenticates before answering unauthorized_client for a grant without a pipe', async () => {
    expect((await postToken(s.url, grant, { authorization: basic('no-pipe', 'wrong') })).status).toBe(401);
    const r = await postToken(s.url, grant, { authorization: basic('no-pipe', S) });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('unauthorized_client');
  });
});

describe('valves before the authenticating valve', () => {
  it('are a config error unless they declare they may run for strangers', async () => {
    const config = `
keystores: [{ id: signing, type: generated }]
plugins: [./limit.mjs]
rps: [{ client_id: a, client_secret: "\${env.S}", client_credentials_pipe_id: late }]
pipes:
  - id: late
    valves:
      - name: EarlyLimit
      - name: ScopeCheck
      - name: ClientAuthenticate
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
`;
    const limit = "export default { name: 'EarlyLimit', runsBeforeAuthentication: true, create() { return async function earlyLimit(flow, next) { await next(); }; } };";
    const { engine, diagnostics } = await load(config, { env: { S: 'a-shared-secret-0123456789' }, files: { 'limit.mjs': limit } });
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.col, d.code, d.message])).toEqual([
      [9, 15, 'valve_config', "valve 'ScopeCheck' would run before the client is authenticated; put 'ClientAuthenticate' before it"],
    ]);
  });
});
