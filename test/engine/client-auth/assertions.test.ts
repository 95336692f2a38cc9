/**
 * private_key_jwt and client_secret_jwt end to end (RFC 7523 section 2.2 and 3, OpenID
 * Connect Core section 9): standard clients get tokens, verified with jose against our
 * JWKS; every bad assertion gets the same 401 invalid_client as an unknown client.
 */
import { randomBytes } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken, serve, type Running } from '../../helpers/sluice.js';
import { verifyWithJose } from '../../interop/helpers.js';
import { assertion, assertionForm, days, rsaKeyPair, ecKeyPair, selfSignedCertificate, unsecured, type Certificate, type KeyPair } from './assertion-kit.js';

const HMAC_SECRET = randomBytes(48).toString('base64url'); // 64 characters: enough for HS512
const API = 'https://api.example.com';

let server: Running;
let issuer: string;
let keyed: KeyPair; // RS256, inline jwks
let ec: KeyPair; // ES256, inline jwks, second key of the same client
let stranger: KeyPair; // not registered anywhere
let older: KeyPair; // RS256, the rotating client's first key
let newer: KeyPair; // RS256, its second
let billing: Certificate; // valid certificate
let stale: Certificate; // expired certificate
let future: Certificate; // not valid yet

function config(): string {
  const jwks = JSON.stringify({ keys: [keyed.publicJwk, ec.publicJwk] });
  return `
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: keyed
    token_endpoint_auth_method: private_key_jwt
    jwks: ${jwks}
    scopes: [orders.read]
    audiences: [${API}]
    client_credentials_pipe_id: m2m
  - client_id: rotating
    token_endpoint_auth_method: private_key_jwt
    jwks: ${JSON.stringify({ keys: [older.publicJwk, newer.publicJwk].map(({ kid: _kid, ...jwk }) => jwk) })}
    client_credentials_pipe_id: m2m
  - client_id: legacy
    token_endpoint_auth_method: client_secret_jwt
    client_secret: \${env.HMAC_SECRET}
    scopes: [orders.read]
    audiences: [${API}]
    client_credentials_pipe_id: m2m
  - client_id: billing
    token_endpoint_auth_method: private_key_jwt
    certificates: ["\${file.billing.crt}"]
    scopes: [orders.read]
    audiences: [${API}]
    client_credentials_pipe_id: m2m
  - client_id: stale
    token_endpoint_auth_method: private_key_jwt
    certificates: ["\${file.stale.crt}", "\${file.future.crt}"]
    client_credentials_pipe_id: m2m
  - client_id: orders-service
    client_secret: \${env.ORDERS_SECRET}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing, jwt_ttl: 10 }
      - name: TokenResponse
`;
}

beforeAll(async () => {
  [keyed, ec, stranger, older, newer] = await Promise.all([rsaKeyPair('keyed-rsa'), ecKeyPair('keyed-ec'), rsaKeyPair('keyed-rsa'), rsaKeyPair('old'), rsaKeyPair('new')]);
  billing = selfSignedCertificate('billing', days(-1), days(365));
  stale = selfSignedCertificate('stale', days(-30), days(-1));
  future = selfSignedCertificate('future', days(2), days(30));
  server = await serve(config(), {
    env: { HMAC_SECRET, ORDERS_SECRET: 'orders-secret-0123456789' },
    files: { 'billing.crt': billing.pem, 'stale.crt': stale.pem, 'future.crt': future.pem },
  });
  issuer = server.url;
  expect(server.engine.issuer).toBe(issuer);
});
afterAll(async () => {
  await server?.close();
});

/** openid-client signs with WebCrypto keys. */
const cryptoKey = (pair: KeyPair, alg: string) => importPKCS8(String(pair.privateKey.export({ type: 'pkcs8', format: 'pem' })), alg);

const insecure = { execute: [client.allowInsecureRequests] };
const expected = (clientId: string) => ({ issuer, clientId, audience: API, scope: 'orders.read', alg: 'ES256' as const, ttl: 600 });

describe('private_key_jwt and client_secret_jwt with openid-client', () => {
  it('openid-client PrivateKeyJwt (RS256) gets a token', async () => {
    const config = await client.discovery(new URL(issuer), 'keyed', {}, client.PrivateKeyJwt({ key: await cryptoKey(keyed, 'RS256'), kid: 'keyed-rsa' }), insecure);
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['private_key_jwt', 'client_secret_jwt']));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders.read', resource: API });
    await verifyWithJose(tokens.access_token, expected('keyed'));
  });

  it('openid-client PrivateKeyJwt with the client\'s second key (ES256) gets a token', async () => {
    const config = await client.discovery(new URL(issuer), 'keyed', {}, client.PrivateKeyJwt({ key: await cryptoKey(ec, 'ES256'), kid: 'keyed-ec' }), insecure);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders.read', resource: API });
    await verifyWithJose(tokens.access_token, expected('keyed'));
  });

  it('openid-client ClientSecretJwt gets a token', async () => {
    const config = await client.discovery(new URL(issuer), 'legacy', HMAC_SECRET, client.ClientSecretJwt(HMAC_SECRET), insecure);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders.read', resource: API });
    await verifyWithJose(tokens.access_token, expected('legacy'));
  });

  it('discovery lists the assertion algs: never none, HMAC only for client_secret_jwt', async () => {
    const meta = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, string[]>;
    const algs = meta.token_endpoint_auth_signing_alg_values_supported!;
    expect(algs).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256']));
    expect(algs).not.toContain('none');
  });
});

describe('keys without kid', () => {
  it('an assertion without kid is verified by whichever of two RSA keys signed it', async () => {
    for (const pair of [older, newer]) {
      const signed = await assertion({ clientId: 'rotating', audience: issuer, key: pair.privateKey });
      expect((await postToken(issuer, assertionForm(signed))).status).toBe(200);
    }
    const forged = await assertion({ clientId: 'rotating', audience: issuer, key: stranger.privateKey });
    expect((await postToken(issuer, assertionForm(forged))).status).toBe(401);
  });
});

describe('certificate credentials (as Microsoft Entra ID clients send them)', () => {
  // The request exactly as MSAL shapes it: everything in the body, the certificate named
  // by x5t (SHA-1) or x5t#S256 in the header, aud the token endpoint.
  it.each([
    ['x5t#S256', () => ({ 'x5t#S256': billing.x5tS256 })],
    ['x5t', () => ({ x5t: billing.x5t })],
    ['kid = x5t', () => ({ kid: billing.x5t })],
  ])('an assertion naming the certificate by %s gets a token', async (_name, header) => {
    const signed = await assertion({ clientId: 'billing', audience: `${issuer}/token`, key: billing.privateKey, header: header() });
    const r = await postToken(issuer, assertionForm(signed, { client_id: 'billing', scope: 'orders.read', resource: API }));
    expect(r.status).toBe(200);
    await verifyWithJose(String(r.body.access_token), expected('billing'));
  });
});

describe('every bad assertion: 401 invalid_client, the same body as an unknown client', () => {
  let unknownBody: Record<string, unknown>;
  beforeAll(async () => {
    const signed = await assertion({ clientId: 'nobody', audience: issuer, key: stranger.privateKey, header: { kid: 'keyed-rsa' } });
    const r = await postToken(issuer, assertionForm(signed));
    expect(r.status).toBe(401);
    unknownBody = r.body;
    expect(unknownBody).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
  });

  async function expectRefused(form: Record<string, string>): Promise<void> {
    const r = await postToken(issuer, form);
    expect(r.status).toBe(401);
    expect(r.body).toEqual(unknownBody);
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_client"');
  }
  const rsa = (overrides: Partial<Parameters<typeof assertion>[0]> = {}) =>
    assertion({ clientId: 'keyed', audience: issuer, key: keyed.privateKey, header: { kid: 'keyed-rsa' }, ...overrides });

  it('a replayed assertion (same jti) is refused; the first use succeeded', async () => {
    const signed = await rsa();
    expect((await postToken(issuer, assertionForm(signed))).status).toBe(200);
    await expectRefused(assertionForm(signed));
  });

  it('an expired assertion', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(assertionForm(await rsa({ claims: { iat: now - 400, exp: now - 120 } })));
  });

  it('an assertion that lives longer than 5 minutes', async () => {
    await expectRefused(assertionForm(await rsa({ expiresIn: 3600 })));
    // No iat: exp - now counts.
    await expectRefused(assertionForm(await rsa({ expiresIn: 3600, claims: { iat: undefined } })));
  });

  it('missing exp or jti', async () => {
    await expectRefused(assertionForm(await rsa({ claims: { exp: undefined } })));
    await expectRefused(assertionForm(await rsa({ claims: { jti: undefined } })));
  });

  it('a wrong audience', async () => {
    await expectRefused(assertionForm(await rsa({ audience: 'https://other.example.com/token' })));
  });

  it('signed by a key the client did not register (same kid)', async () => {
    await expectRefused(assertionForm(await rsa({ key: stranger.privateKey })));
  });

  it('alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(assertionForm(unsecured({ iss: 'keyed', sub: 'keyed', aud: issuer, jti: 'none-1', iat: now, exp: now + 60 })));
  });

  it('HMAC keyed with the client\'s public key (alg confusion)', async () => {
    for (const secret of [String(keyed.publicKey.export({ type: 'spki', format: 'pem' })), JSON.stringify(keyed.publicJwk)]) {
      await expectRefused(assertionForm(await rsa({ alg: 'HS256', key: new TextEncoder().encode(secret) })));
    }
  });

  it('iss or sub not the client_id', async () => {
    await expectRefused(assertionForm(await rsa({ claims: { iss: 'legacy' } })));
    await expectRefused(assertionForm(await rsa({ claims: { sub: 'legacy' } }), { client_id: 'keyed' }));
    await expectRefused(assertionForm(await rsa(), { client_id: 'legacy' }));
  });

  it('a wrong client_assertion_type, or only one of the two parameters', async () => {
    const signed = await rsa();
    await expectRefused({ ...assertionForm(signed), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' });
    await expectRefused({ grant_type: 'client_credentials', client_assertion: await rsa(), client_id: 'keyed' });
    await expectRefused({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_id: 'keyed' });
  });

  it('garbage assertions', async () => {
    for (const garbage of ['', 'x', 'a.b.c', 'not a jwt at all', '..', `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.e30.`]) {
      await expectRefused(assertionForm(garbage, { client_id: 'keyed' }));
      await expectRefused(assertionForm(garbage));
    }
  });

  it('client_secret_jwt with a wrong secret, or a too-short key for the alg', async () => {
    const hmac = (key: string, alg = 'HS256') => assertion({ clientId: 'legacy', audience: issuer, alg, key: new TextEncoder().encode(key) });
    await expectRefused(assertionForm(await hmac(HMAC_SECRET + 'x')));
    expect((await postToken(issuer, assertionForm(await hmac(HMAC_SECRET, 'HS512')))).status).toBe(200);
  });

  it('a private_key_jwt client presenting an RSA-signed assertion for a client_secret_jwt client', async () => {
    await expectRefused(assertionForm(await assertion({ clientId: 'legacy', audience: issuer, key: keyed.privateKey })));
  });

  it('an expired or not yet valid certificate, and a certificate the client did not register', async () => {
    await expectRefused(assertionForm(await assertion({ clientId: 'stale', audience: issuer, key: stale.privateKey, header: { 'x5t#S256': stale.x5tS256 } })));
    await expectRefused(assertionForm(await assertion({ clientId: 'stale', audience: issuer, key: future.privateKey, header: { x5t: future.x5t } })));
    // The stale client's (valid) key named by thumbprint in the billing client's assertion.
    await expectRefused(assertionForm(await assertion({ clientId: 'billing', audience: issuer, key: stale.privateKey, header: { 'x5t#S256': stale.x5tS256 } })));
    // The billing certificate's key, header naming nothing.
    await expectRefused(assertionForm(await assertion({ clientId: 'billing', audience: issuer, key: billing.privateKey })));
  });

  it('the reason is in the log, the assertion is not', async () => {
    const signed = await rsa({ audience: 'https://elsewhere.example' });
    await expectRefused(assertionForm(signed));
    const line = server.logs.lines.filter((l) => l.event === 'token').at(-1)!;
    expect(String(line.error_detail)).toMatch(/aud/);
    expect(server.logs.text).not.toContain(signed);
  });
});
