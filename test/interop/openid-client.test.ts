/**
 * openid-client v6, the way its README tells a backend to get a token: discovery from the
 * issuer URL alone, then clientCredentialsGrant. Plain http is allowed only because the
 * test server is on 127.0.0.1.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../helpers/sluice.js';
import { API, BILLING, ORDERS, POSTER, interopConfig, serveInterop, verifyWithJose } from './helpers.js';

type Served = Awaited<ReturnType<typeof serveInterop>>;

let server: Served;
beforeAll(async () => {
  server = await serveInterop('ES256');
});
afterAll(async () => {
  await server?.close();
});

const insecure = { execute: [client.allowInsecureRequests] };

function discoverBasic(secret: string = ORDERS.secret, algorithm?: 'oidc' | 'oauth2') {
  return client.discovery(new URL(server.issuer), ORDERS.id, secret, client.ClientSecretBasic(secret), { ...insecure, ...(algorithm ? { algorithm } : {}) });
}
function discoverPost(secret: string = POSTER.secret) {
  return client.discovery(new URL(server.issuer), POSTER.id, secret, client.ClientSecretPost(secret), insecure);
}

describe('openid-client: discovery', () => {
  it('discovers the server from the issuer URL (OpenID Connect discovery)', async () => {
    const config = await discoverBasic();
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(server.issuer);
    expect(meta.token_endpoint).toBe(`${server.issuer}/token`);
    expect(meta.jwks_uri).toBe(`${server.issuer}/jwks`);
    expect(meta.grant_types_supported).toContain('client_credentials');
    expect(meta.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
  });

  it('discovers the server through RFC 8414 metadata (algorithm oauth2)', async () => {
    const config = await discoverBasic(ORDERS.secret, 'oauth2');
    expect(config.serverMetadata().issuer).toBe(server.issuer);
    expect(config.serverMetadata().token_endpoint).toBe(`${server.issuer}/token`);
  });

  it('refuses the server when the issuer does not match the URL it was asked for', async () => {
    // The same server reached as "localhost": its metadata names 127.0.0.1, so a
    // conforming client must refuse it (RFC 8414 §3.3).
    const other = new URL(server.issuer.replace('127.0.0.1', 'localhost'));
    await expect(client.discovery(other, ORDERS.id, ORDERS.secret, client.ClientSecretBasic(ORDERS.secret), insecure))
      .rejects.toMatchObject({ code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' });
  });
});

describe('openid-client: clientCredentialsGrant', () => {
  it('gets a token with client_secret_basic, with scope and resource', async () => {
    const config = await discoverBasic();
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders.read', resource: API });
    expect(tokens.token_type).toBe('bearer'); // oauth4webapi lower-cases token_type
    expect(typeof tokens.expires_in).toBe('number');
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
    expect(tokens.scope).toBe('orders.read');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    await verifyWithJose(tokens.access_token, { issuer: server.issuer, clientId: ORDERS.id, audience: API, scope: 'orders.read', alg: 'ES256' });
  });

  it('gets a token with client_secret_basic and no parameters: all granted scopes and audiences', async () => {
    const config = await discoverBasic();
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.scope).toBe('orders.read orders.write');
    await verifyWithJose(tokens.access_token, { issuer: server.issuer, clientId: ORDERS.id, audience: [API, BILLING], scope: 'orders.read orders.write', alg: 'ES256' });
  });

  it('sends several resource parameters (RFC 8707) and gets a token for all of them', async () => {
    const config = await discoverBasic();
    const params = new URLSearchParams({ scope: 'orders.write' });
    params.append('resource', API);
    params.append('resource', BILLING);
    const tokens = await client.clientCredentialsGrant(config, params);
    await verifyWithJose(tokens.access_token, { issuer: server.issuer, clientId: ORDERS.id, audience: [API, BILLING], scope: 'orders.write', alg: 'ES256' });
  });

  it('gets a token with client_secret_post', async () => {
    const config = await discoverPost();
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders.read' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('orders.read');
    // poster has no audiences: the token is for the issuer itself.
    await verifyWithJose(tokens.access_token, { issuer: server.issuer, clientId: POSTER.id, audience: server.issuer, scope: 'orders.read', alg: 'ES256' });
  });
});

describe('openid-client: errors', () => {
  it('a wrong secret with client_secret_basic: 401 with a Basic challenge (RFC 6749 §5.2), error invalid_client in the body', async () => {
    const config = await discoverBasic('wrong-secret');
    const error = await client.clientCredentialsGrant(config).then(() => undefined, (e: unknown) => e);
    // RFC 6749 §5.2 makes the WWW-Authenticate header a MUST here, and oauth4webapi
    // reports any challenge as WWWAuthenticateChallengeError before it reads the body.
    expect(error).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    const challenge = error as client.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]?.scheme).toBe('basic');
    expect(challenge.cause[0]?.parameters.error).toBe('invalid_client');
    expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('a wrong secret with client_secret_post: 401, invalid_client', async () => {
    const config = await discoverPost('wrong-secret');
    const error = await client.clientCredentialsGrant(config).then(() => undefined, (e: unknown) => e);
    expect(oauthErrorOf(error)).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('an unknown client: 401, invalid_client', async () => {
    const config = await client.discovery(new URL(server.issuer), 'nobody', 'whatever', client.ClientSecretPost('whatever'), insecure);
    const error = await client.clientCredentialsGrant(config).then(() => undefined, (e: unknown) => e);
    expect(oauthErrorOf(error)).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('a scope the client may not have: ResponseBodyError invalid_scope, 400', async () => {
    const config = await discoverBasic();
    const error = await client.clientCredentialsGrant(config, { scope: 'orders.admin' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    const body = error as client.ResponseBodyError;
    expect(body.error).toBe('invalid_scope');
    expect(body.status).toBe(400);
    expect(typeof body.error_description).toBe('string');
  });

  it('a resource the client may not have: ResponseBodyError invalid_target, 400 (RFC 8707)', async () => {
    const config = await discoverBasic();
    const error = await client.clientCredentialsGrant(config, { resource: 'https://elsewhere.example.com' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect((error as client.ResponseBodyError).error).toBe('invalid_target');
    expect((error as client.ResponseBodyError).status).toBe(400);
  });
});

describe('openid-client: a secret with characters that form-encoding changes', () => {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding; base64
  // secrets ('+', '/', '=') are common. oauth4webapi encodes; Sluice must decode.
  const SECRET = 'AbC+dEf/GhI=%41 ~x:y';
  let special: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    special = await serve(interopConfig('ES256'), { env: { ORDERS_SECRET: SECRET, POSTER_SECRET: SECRET } });
  });
  afterAll(async () => {
    await special?.close();
  });

  it('client_secret_basic', async () => {
    const config = await client.discovery(new URL(special.url), ORDERS.id, SECRET, client.ClientSecretBasic(SECRET), insecure);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders.read', resource: API });
    await verifyWithJose(tokens.access_token, { issuer: special.url, clientId: ORDERS.id, audience: API, scope: 'orders.read', alg: 'ES256' });
  });

  it('client_secret_post', async () => {
    const config = await client.discovery(new URL(special.url), POSTER.id, SECRET, client.ClientSecretPost(SECRET), insecure);
    const tokens = await client.clientCredentialsGrant(config);
    await verifyWithJose(tokens.access_token, { issuer: special.url, clientId: POSTER.id, audience: special.url, scope: 'orders.read', alg: 'ES256' });
  });
});

/** What a user of openid-client learns from a failed request, whichever error class carries it. */
function oauthErrorOf(error: unknown): { status: number; error: string | undefined } {
  if (error instanceof client.ResponseBodyError) return { status: error.status, error: error.error };
  if (error instanceof client.WWWAuthenticateChallengeError) return { status: error.status, error: error.cause[0]?.parameters.error };
  throw error;
}
