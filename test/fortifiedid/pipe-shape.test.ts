/**
 * FortifiedID's pipe shape `{id, config: {valves}}`, pasted as JSON under `pipes:` beside a
 * pipe in Sluice's `{id, valves}` form: both serve tokens that verify against /jwks, and a
 * problem inside `config.valves` is placed at its node there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };
const AUTH = (id: string) => ({ authorization: basic(id, ENV.SVC_SECRET) });
const GRANT = { grant_type: 'client_credentials' };

function config(pipes: string): string {
  return `issuer: http://127.0.0.1:8080
keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: fortified
    client_secret: \${env.SVC_SECRET}
    scopes: [read]
    client_credentials_pipe_id: client_credentials_pipe
  - client_id: native
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: native
pipes:
${pipes}`;
}

// The docs' pipe (token-endpoint page), with the keystore given by id: inline keystores
// are another part of issue 13.
const FORTIFIED = `  - { "id": "client_credentials_pipe",
      "config": { "valves": [
        { "name": "CreateJwt", "enabled": true, "config": {
            "dest": "access_token", "jwt_ttl": 60, "keystore": "signing",
            "jwt_headers": { "test_header": "test_header", "typ": "at+jwt" },
            "jwt_claims": { "test_claim": "test_claim", "sub": "\${request.client_id}" } } },
        { "name": "JsonObjectCreate", "enabled": true, "config": {
            "src": { "access_token": "\${item.access_token}", "token_type": "Bearer", "expires_in": 3600, "scope": "read" },
            "dest": "client_credentials" } } ] } }
`;
const NATIVE = `  - id: native
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;

describe('FortifiedID pipe shape', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(config(FORTIFIED + NATIVE), { env: ENV });
  });
  afterAll(() => s.close());

  it('the pasted FortifiedID pipe answers with its JsonObjectCreate object, the token verifying against /jwks', async () => {
    const r = await postToken(s.url, { ...GRANT, state: 'xyz' }, AUTH('fortified'));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read', state: 'xyz' });
    const { payload, header } = await verifyToken(s.url, r.body.access_token as string, { issuer: 'http://127.0.0.1:8080' });
    expect(payload).toMatchObject({ sub: 'fortified', client_id: 'fortified', test_claim: 'test_claim' });
    expect(header.test_header).toBe('test_header');
  });

  it('a pipe in Sluice form in the same file serves too', async () => {
    const r = await postToken(s.url, GRANT, AUTH('native'));
    expect(r.status).toBe(200);
    await verifyToken(s.url, r.body.access_token as string);
  });

  it('the engine still authenticates the client first: a wrong secret gets invalid_client and no token', async () => {
    const r = await postToken(s.url, { ...GRANT, state: 'xyz' }, { authorization: basic('fortified', 'wrong-secret-0123456789') });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(r.body.access_token).toBeUndefined();
    expect(r.body.state).toBeUndefined();
  });
});

describe('FortifiedID pipe shape: problems are placed in config.valves', () => {
  async function errorsOf(pipes: string) {
    const { diagnostics } = await load(config(pipes + NATIVE), { env: ENV });
    return diagnostics.filter((d) => d.severity === 'error');
  }

  it('a valve config key and a template inside config.valves point at their nodes', async () => {
    const pipes = FORTIFIED.replace('"jwt_ttl": 60', '"jwt_tll": 60').replace('"token_type": "Bearer"', '"token_type": "${request.nope}"');
    const yaml = config(pipes + NATIVE);
    const errors = await errorsOf(pipes);
    const at = (needle: string) => positionOf(yaml, needle);
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([
      { ...at('"jwt_tll"'), code: 'schema' },
      { ...at('request.nope'), code: 'template' },
    ]);
    expect(errors[0]!.message).toMatch(/did you mean 'jwt_ttl'/);
  });

  it('a misspelt key of a valve entry inside config.valves points at that key', async () => {
    const pipes = FORTIFIED.replace('{ "name": "JsonObjectCreate", "enabled": true', '{ "name": "JsonObjectCreate", "enabeld": true');
    const errors = await errorsOf(pipes);
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ ...positionOf(config(pipes + NATIVE), '"enabeld"'), code: 'schema' }]);
    expect(errors[0]!.message).toMatch(/did you mean 'enabled'/);
  });

  it('valves given twice, and a config without valves, are errors at the pipe', async () => {
    const twice = `  - id: client_credentials_pipe
    valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
    config: { valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
`;
    let errors = await errorsOf(twice);
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ ...positionOf(config(twice + NATIVE), 'config: { valves'), code: 'schema' }]);
    const none = `  - id: client_credentials_pipe
    config: { valve: [{ name: TokenResponse }] }
`;
    errors = await errorsOf(none);

    const yaml = config(none + NATIVE);
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ ...positionOf(yaml, 'valve:'), code: 'schema' }]);
    expect(errors[0]!.message).toMatch(/did you mean 'valves'/);
  });

  it('a missing valves list is one error that names valves', async () => {
    const missing = `  - id: client_credentials_pipe
    description: nothing here
`;
    const errors = await errorsOf(missing);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/missing required key 'valves'/);
  });

  it('a FortifiedID class name as valve name is an error that names the Sluice valve', async () => {
    const pipes = FORTIFIED.replace('"CreateJwt"', '"com.fortifiedid.pipes.valves.jwt.CreateJwtValve"');
    const errors = await errorsOf(pipes);
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ ...positionOf(config(pipes + NATIVE), '"com.fortifiedid'), code: 'unknown_valve' }]);
    expect(errors[0]!.message).toMatch(/name: CreateJwt/);
  });
});
