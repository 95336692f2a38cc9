/**
 * OA4MP's request-time parameters state, iss, nonce and jti (issue 12): state comes back
 * unaltered, errors included, to a proven caller; iss must be the client's own id; nonce
 * and jti reach valves as ${request.nonce} and ${request.jti}, and a request's jti becomes
 * the token's only where the config says so. Each is bounded: printable ASCII, at most
 * 1024 characters, sent once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';
import { verifyToken } from '../helpers/tokens.js';

const S = 'params-secret-0123456789';
let s: Running;

const PIPES = `
pipes:
  - id: plain
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: echoing
    valves:
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { nonce: "\${request.nonce}", request_jti: "\${request.jti}" } }
      - name: TokenResponse
  - id: chosen-jti
    valves:
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { jti: "\${request.jti}" }, allow_request_claims: { jti: "\${client.attributes.jtis}" } }
      - name: TokenResponse
`;

beforeAll(async () => {
  s = await serve(`
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: svc, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: plain }
  - { client_id: echo, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: echoing }
  - { client_id: chooser, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: chosen-jti, attributes: { jtis: [request-2] } }
${PIPES}`, { env: { S } });
});
afterAll(() => s.close());

const ask = (client: string, extra: Record<string, string | string[]> = {}, secret = S) =>
  postToken(s.url, { grant_type: 'client_credentials', ...extra }, { authorization: basic(client, secret) });

/** Hostile values every text parameter refuses. */
const HOSTILE: Array<[string, string]> = [
  ['1025 characters', 'x'.repeat(1025)],
  ['8000 characters', 'y'.repeat(8000)],
  ['non-ASCII', 'caf\u00e9'],
  ['an emoji', '\u{1F600}'],
  ['a control character', 'a\tb'],
  ['a newline', 'a\nb'],
  ['a NUL', 'a\u0000b'],
];

describe('state', () => {
  it.each(['xyz', 'a b  c', '"}{\\\'<script>', '~!@#$%^&*()_+`-=[]|;:,./?', 'x'.repeat(1024)])('comes back unaltered in the token response: %j', async (state) => {
    const r = await ask('svc', { state });
    expect(r.status).toBe(200);
    expect(r.body.state).toBe(state);
    await verifyToken(s.url, String(r.body.access_token));
  });

  it('is absent from the response when not sent', async () => {
    const r = await ask('svc');
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty('state');
  });

  it('comes back in an error for the proven caller', async () => {
    const r = await ask('svc', { state: 'my-state', scope: 'not-mine' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String), state: 'my-state' });
  });

  it('comes back with a problem in another request-time parameter', async () => {
    const r = await ask('svc', { state: 'my-state', at_lifetime: 'soon' });
    expect(r.body).toMatchObject({ error: 'invalid_request', state: 'my-state' });
  });

  it('does not come back to a caller that failed authentication', async () => {
    const r = await ask('svc', { state: 'my-state' }, 'wrong-secret');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
  });

  it.each(HOSTILE)('with %s is invalid_request, and not echoed', async (_name, state) => {
    const r = await ask('svc', { state });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
    expect(r.body).not.toHaveProperty('state');
  });

  it('repeated is invalid_request', async () => {
    const r = await ask('svc', { state: ['a', 'b'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});

describe('iss', () => {
  it("equal to the client's id is accepted", async () => {
    const r = await ask('svc', { iss: 'svc' });
    expect(r.status).toBe(200);
  });

  it.each(['echo', 'SVC', 'svc ', 'x'.repeat(5000), 'sv\u00e7'])('naming anyone else is invalid_request: %j', async (iss) => {
    const r = await ask('svc', { iss });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });

  it('repeated is invalid_request, even when both name the client', async () => {
    const r = await ask('svc', { iss: ['svc', 'svc'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});

describe('nonce and jti', () => {
  it('reach valves as ${request.nonce} and ${request.jti}; the token keeps its own jti', async () => {
    const r = await ask('echo', { nonce: 'n-0S6_WzA2Mj', jti: 'request-1' });
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.nonce).toBe('n-0S6_WzA2Mj');
    expect(payload.request_jti).toBe('request-1');
    expect(payload.jti).not.toBe('request-1');
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("become the token's jti only where the config says so (jwt_claims.jti: ${request.jti}, from allow_request_claims' list)", async () => {
    const r = await ask('chooser', { jti: 'request-2' });
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.jti).toBe('request-2');
    const other = await ask('chooser', { jti: 'request-3' });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('invalid_request');
  });

  it('are optional', async () => {
    const r = await ask('echo');
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it.each(HOSTILE.flatMap(([name, value]) => [['nonce', name, value], ['jti', name, value]]))('%s with %s is invalid_request', async (param, _name, value) => {
    const r = await ask('echo', { [param!]: value! });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });

  it.each(['nonce', 'jti'])('%s repeated is invalid_request', async (param) => {
    const r = await ask('echo', { [param]: ['a', 'b'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});

describe('sluice check on request-time parameters in claims', () => {
  it("refuses jti: ${request.jti} without allow_request_claims: a caller would name the token for revocation", async () => {
    const yaml = `
keystores: [{ id: signing, type: generated }]
rps: [{ client_id: svc, client_secret: x-0123456789abcdef, scopes: [a], client_credentials_pipe_id: p }]
pipes:
  - id: p
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing, jwt_claims: { jti: "\${request.jti}" } } }, { name: TokenResponse }]
`;
    const { engine, diagnostics } = await load(yaml);
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(({ line, col }) => ({ line, col }))).toEqual([positionOf(yaml, '"${request.jti}"')]);
  });

  it.each(['nonce', 'jti', 'state', 'at_lifetime'])("refuses sub: ${request.%s}: the caller would choose the token's subject", async (field) => {
    const yaml = `
keystores: [{ id: signing, type: generated }]
rps: [{ client_id: svc, client_secret: x-0123456789abcdef, scopes: [a], client_credentials_pipe_id: p }]
pipes:
  - id: p
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing, jwt_claims: { sub: "\${request.${field}}" } } }, { name: TokenResponse }]
`;
    const { engine, diagnostics } = await load(yaml);
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(({ line, col }) => ({ line, col }))).toEqual([positionOf(yaml, `"\${request.${field}}"`)]);
  });
});
