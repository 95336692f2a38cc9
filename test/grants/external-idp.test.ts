/**
 * Tokens from an external IdP as grants (issue 10, part 3): JWT-bearer (RFC 7523 section
 * 2.1) and token exchange (RFC 8693), verified against a trusted issuer, mapped to a
 * service identity with declared roles. Keys inline here; a jwks_uri IdP is tested with
 * the example config.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const IDP = 'https://login.idp.example/tenant/v2.0';
const APPID = '11111111-1111-1111-1111-111111111111';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
let idpKey: CryptoKey;
let otherKey: CryptoKey;
let jwk: JWK;
let s: Running;

function config(idpJwk: JWK): string {
  return `
keystores: [{ id: signing, type: generated }]
trusted_issuers:
  - { id: idp, issuer: "${IDP}", jwks: { keys: [${JSON.stringify(idpJwk)}] }, audiences: ["api://platform"], algorithms: [RS256] }
roles: [order-reader, order-writer]
rps:
  - client_id: platform-exchange
    token_endpoint_auth_method: none
    grant_pipes: { "${JWT_BEARER}": exchange, "${TOKEN_EXCHANGE}": exchange }
  - client_id: confidential
    client_secret: "\${env.S}"
    grant_pipes: { "${JWT_BEARER}": exchange }
  - client_id: lenient
    token_endpoint_auth_method: none
    grant_pipes: { "${JWT_BEARER}": drop-roles }
pipes:
  - id: exchange
    valves:
      - { name: VerifyAssertion, config: { required_claims: [appid] } }
      - name: MapIdentity
        config:
          claim: appid
          identities:
            "${APPID}": { roles: [order-reader], attributes: { tenant: acme } }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
  - id: drop-roles
    valves:
      - name: VerifyAssertion
      - name: MapIdentity
        config:
          claim: appid
          token_roles: { undeclared: drop }
          identities: { "${APPID}": { subject: orders-service, roles: [order-reader] } }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
`;
}

async function idpToken(claims: Record<string, unknown> = {}, options: { key?: CryptoKey; iss?: string; aud?: string; exp?: number | string; alg?: string } = {}): Promise<string> {
  return new SignJWT({ appid: APPID, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: jwk.kid! })
    .setIssuer(options.iss ?? IDP)
    .setAudience(options.aud ?? 'api://platform')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
    .sign(options.key ?? idpKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  idpKey = pair.privateKey;
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  s = await serve(config(jwk), { env: { S: 'confidential-secret-0123' } });
});
afterAll(() => s.close());

describe('JWT-bearer and token exchange from a trusted issuer', () => {
  it('a public client exchanges an IdP token (jwt-bearer): sub is the service identity, roles and tenant mapped', async () => {
    const r = await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'platform-exchange', assertion: await idpToken() });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload).toMatchObject({ sub: APPID, roles: ['order-reader'], tenant: 'acme', client_id: 'platform-exchange' });
  });

  it('token exchange answers issued_token_type (RFC 8693 section 2.2.1)', async () => {
    const r = await postToken(s.url, {
      grant_type: TOKEN_EXCHANGE, client_id: 'platform-exchange',
      subject_token: await idpToken(), subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect((await verifyToken(s.url, String(r.body.access_token))).payload.roles).toEqual(['order-reader']);
  });

  it('keeps declared roles the token carries, and refuses undeclared ones (invalid_grant)', async () => {
    const ok = await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'platform-exchange', assertion: await idpToken({ roles: ['order-writer'] }) });
    expect((await verifyToken(s.url, String(ok.body.access_token))).payload.roles).toEqual(['order-reader', 'order-writer']);
    const bad = await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'platform-exchange', assertion: await idpToken({ roles: ['admin'] }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_grant');
  });

  it('drops undeclared roles when configured to, with the mapped subject', async () => {
    const r = await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'lenient', assertion: await idpToken({ roles: ['admin', 'order-writer'] }) });
    expect(r.status).toBe(200);
    expect((await verifyToken(s.url, String(r.body.access_token))).payload).toMatchObject({ sub: 'orders-service', roles: ['order-reader', 'order-writer'] });
  });

  it.each<[string, () => Promise<string>]>([
    ['an unknown appid', () => idpToken({ appid: '22222222-2222-2222-2222-222222222222' })],
    ['no appid', () => idpToken({ appid: undefined })],
    ['another key', () => idpToken({}, { key: otherKey })],
    ['another issuer', () => idpToken({}, { iss: 'https://evil.example' })],
    ['another audience', () => idpToken({}, { aud: 'api://other' })],
    ['an expired token', () => idpToken({}, { exp: Math.floor(Date.now() / 1000) - 600 })],
    ['alg none', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: IDP, aud: 'api://platform', appid: APPID, exp: 4e9 })).toString('base64url')}.`],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses %s with invalid_grant', async (_name, token) => {
    const r = await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'platform-exchange', assertion: await token() });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });

  it('a confidential client must still authenticate for the grant', async () => {
    const assertion = await idpToken();
    expect((await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'confidential', assertion })).status).toBe(401);
    expect((await postToken(s.url, { grant_type: JWT_BEARER, assertion }, { authorization: basic('confidential', 'wrong') })).status).toBe(401);
    const ok = await postToken(s.url, { grant_type: JWT_BEARER, assertion }, { authorization: basic('confidential', 'confidential-secret-0123') });
    expect(ok.status).toBe(200);
  });

  it('a public client gets nothing without a token, and presenting a secret for it fails', async () => {
    expect((await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'platform-exchange' })).body.error).toBe('invalid_request');
    const r = await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'platform-exchange', client_secret: 'x', assertion: await idpToken() });
    expect(r.status).toBe(401);
  });

  it('never logs the presented token', async () => {
    const assertion = await idpToken();
    await postToken(s.url, { grant_type: JWT_BEARER, client_id: 'platform-exchange', assertion });
    expect(s.logs.text).not.toContain(assertion.split('.')[2]);
  });
});

describe('check', () => {
  const base = (pipes: string, rps: string) => `
keystores: [{ id: signing, type: generated }]
trusted_issuers: [{ id: idp, issuer: "${IDP}", jwks_uri: "http://idp.example/keys", audiences: [x] }]
roles: [order-reader]
rps:
${rps}
pipes:
${pipes}`;

  it('refuses http jwks_uri outside loopback, undeclared roles, unknown grant types, a public client_credentials client, a token pipe without VerifyAssertion', async () => {
    const { engine, diagnostics } = await load(base(`
  - id: no-verify
    valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: late-verify
    valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: VerifyAssertion }, { name: TokenResponse }]
  - id: map
    valves:
      - { name: VerifyAssertion, config: { issuers: [idq] } }
      - { name: MapIdentity, config: { claim: appid, identities: { a: { roles: [order-writer] } } } }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse`, `
  - { client_id: a, token_endpoint_auth_method: none, grant_pipes: { "${JWT_BEARER}": no-verify } }
  - { client_id: b, token_endpoint_auth_method: none, client_credentials_pipe_id: map, grant_pipes: { "urn:ietf:params:oauth:grant-type:jwt-bearr": map } }
  - { client_id: c, token_endpoint_auth_method: none, grant_pipes: { "${TOKEN_EXCHANGE}": late-verify } }`));
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringContaining('jwks_uri must be an https URL'),
      expect.stringContaining("role 'order-writer' is not declared"),
      expect.stringContaining("unknown trusted issuer 'idq'; trusted_issuers: idp"),
      expect.stringContaining("unknown grant type 'urn:ietf:params:oauth:grant-type:jwt-bearr' (did you mean 'urn:ietf:params:oauth:grant-type:jwt-bearer'?)"),
      expect.stringContaining("authenticates with 'none'"),
      expect.stringContaining('has no enabled valve that verifies'),
      expect.stringContaining('signs a token before it verifies'),
    ]));
  });
});

describe('two trusted issuers (second attack review, M1)', () => {
  const OTHER = 'https://idp-b.example';
  it('an identity table is bound to one issuer: check requires issuer:, and a token from the other issuer is refused', async () => {
    const b = await generateKeyPair('RS256');
    const bJwk = { ...(await exportJWK(b.publicKey)), kid: 'b-1', alg: 'RS256' };
    const issuers = `trusted_issuers:
  - { id: idp, issuer: "${IDP}", jwks: { keys: [${JSON.stringify(jwk)}] }, audiences: ["api://platform"] }
  - { id: idp-b, issuer: "${OTHER}", jwks: { keys: [${JSON.stringify(bJwk)}] }, audiences: ["api://platform"] }`;
    const pipe = (issuerLine: string) => `
keystores: [{ id: signing, type: generated }]
${issuers}
roles: [order-reader, order-writer]
rps: [{ client_id: pub, token_endpoint_auth_method: none, grant_pipes: { "${JWT_BEARER}": x } }]
pipes:
  - id: x
    valves:
      - name: VerifyAssertion
      - { name: MapIdentity, config: { ${issuerLine} claim: appid, identities: { "${APPID}": { roles: [order-reader] } } } }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
`;
    const unscoped = await load(pipe(''));
    expect(unscoped.engine).toBeUndefined();
    expect(unscoped.diagnostics.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringContaining('several issuers are trusted')]));

    const t = await serve(pipe('issuer: idp,'));
    try {
      const fromB = await new SignJWT({ appid: APPID, roles: ['order-writer'] }).setProtectedHeader({ alg: 'RS256', kid: 'b-1' })
        .setIssuer(OTHER).setAudience('api://platform').setExpirationTime('5m').sign(b.privateKey);
      const refused = await postToken(t.url, { grant_type: JWT_BEARER, client_id: 'pub', assertion: fromB });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_grant');
      const ok = await postToken(t.url, { grant_type: JWT_BEARER, client_id: 'pub', assertion: await idpToken() });
      expect(ok.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
