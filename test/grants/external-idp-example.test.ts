/**
 * config/examples/external-idp.yaml as shipped, end to end (issue 10, part 3): a local
 * server plays the IdP (fake-idp.ts: a JWKS of jose-made RS256 keys at a loopback
 * jwks_uri), and services exchange its tokens for ours with the JWT-bearer grant (RFC 7523
 * section 2.1) and token exchange (RFC 8693). Our tokens are verified with jose against
 * our /jwks. The IdP rotates its key mid-file, so the tests run in order.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { APPID, idpKey, startFakeIdp, type FakeIdp, type IdpKey } from './fake-idp.js';

const EXAMPLE = readFileSync(new URL('../../config/examples/external-idp.yaml', import.meta.url), 'utf8');
const PIPE = readFileSync(new URL('../../pipes/external-idp.yaml', import.meta.url), 'utf8');
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
/** The secret the example publishes for its confidential client (see its comment). */
const GATEWAY_SECRET = 'xxB0LmiNcMx0E2-ZOpb1n1xRKUfBGKdUm9ZyQ5blrvE';

let idp: FakeIdp;
let first: IdpKey;
let s: Running;

beforeAll(async () => {
  first = await idpKey('idp-key-1');
  idp = await startFakeIdp([first]);
  s = await serve(EXAMPLE, { env: idp.env });
});
afterAll(async () => {
  await s?.close();
  await idp?.close();
});

const jwtBearer = (assertion: string, form: Record<string, string> = { client_id: 'platform-exchange' }, headers: Record<string, string> = {}) =>
  postToken(s.url, { grant_type: JWT_BEARER, assertion, ...form }, headers);

describe('the external-IdP example, as shipped', () => {
  it('JWT-bearer: a public client gets our token for the mapped identity (sub = appid, roles, tenant)', async () => {
    const r = await jwtBearer(await idp.token(first));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.url, audience: s.url });
    expect(payload).toMatchObject({ sub: APPID, roles: ['order-reader'], tenant: 'acme', client_id: 'platform-exchange' });
  });

  it('token exchange: the same identity, and issued_token_type (RFC 8693 section 2.2.1)', async () => {
    const r = await postToken(s.url, { grant_type: TOKEN_EXCHANGE, client_id: 'platform-exchange', subject_token: await idp.token(first), subject_token_type: JWT_TYPE });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.url });
    expect(payload).toMatchObject({ sub: APPID, roles: ['order-reader'], tenant: 'acme' });
  });

  it('the confidential client must authenticate as well as present the IdP token', async () => {
    expect(EXAMPLE).toContain(GATEWAY_SECRET);
    const assertion = await idp.token(first);
    expect((await jwtBearer(assertion, {}, { authorization: basic('orders-gateway', 'wrong-secret') })).status).toBe(401);
    const r = await jwtBearer(assertion, {}, { authorization: basic('orders-gateway', GATEWAY_SECRET) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await verifyToken(s.url, String(r.body.access_token))).payload).toMatchObject({ sub: APPID, client_id: 'orders-gateway' });
  });

  it('refuses an appid it does not map (invalid_grant)', async () => {
    const r = await jwtBearer(await idp.token(first, { appid: '22222222-2222-2222-2222-222222222222' }));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });

  it('keeps a declared role the IdP token carries and refuses an undeclared one (invalid_grant)', async () => {
    const ok = await jwtBearer(await idp.token(first, { roles: ['order-writer'] }));
    expect((await verifyToken(s.url, String(ok.body.access_token))).payload.roles).toEqual(['order-reader', 'order-writer']);
    const bad = await postToken(s.url, { grant_type: TOKEN_EXCHANGE, client_id: 'platform-exchange', subject_token: await idp.token(first, { roles: ['order-admin'] }), subject_token_type: JWT_TYPE });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_grant');
  });

  it('follows the IdP rotating its signing key: the new kid works at once, the removed key is refused', async () => {
    // Everything so far was verified with the keys of the first fetch.
    expect(idp.fetches).toBe(1);
    const next = await idpKey('idp-key-2');
    idp.publish([next]);
    const r = await jwtBearer(await idp.token(next));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await verifyToken(s.url, String(r.body.access_token))).payload).toMatchObject({ sub: APPID, roles: ['order-reader'] });
    expect(idp.fetches).toBe(2); // one refetch, for the unknown kid
    const old = await jwtBearer(await idp.token(first));
    expect(old.status).toBe(400);
    expect(old.body.error).toBe('invalid_grant');
    const exchanged = await postToken(s.url, { grant_type: TOKEN_EXCHANGE, client_id: 'platform-exchange', subject_token: await idp.token(next), subject_token_type: JWT_TYPE });
    expect(exchanged.status).toBe(200);
  });

  it('never logs the IdP token', async () => {
    const token = await idp.token(first);
    await jwtBearer(token);
    expect(s.logs.text).not.toContain(token.split('.')[2]);
  });
});

describe('pipes/external-idp.yaml', () => {
  it('works when copied under pipes: of a config', async () => {
    const pipe = PIPE.split('\n').filter((l) => !l.startsWith('#')).map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)).join('\n');
    const config = `
keystores: [{ id: signing, type: generated }]
trusted_issuers:
  - { id: idp, issuer: "${idp.issuer}", jwks: { keys: [${JSON.stringify(first.publicJwk)}] }, audiences: ["${idp.env.EXTERNAL_IDP_AUDIENCE}"], algorithms: [RS256] }
roles: [order-reader]
rps:
  - { client_id: svc, token_endpoint_auth_method: none, grant_pipes: { "${JWT_BEARER}": external-idp } }
pipes:
${pipe}
`;
    const copy = await serve(config);
    try {
      const r = await postToken(copy.url, { grant_type: JWT_BEARER, client_id: 'svc', assertion: await idp.token(first) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect((await verifyToken(copy.url, String(r.body.access_token))).payload).toMatchObject({ sub: APPID, roles: ['order-reader'], tenant: 'acme' });
    } finally {
      await copy.close();
    }
  });
});
