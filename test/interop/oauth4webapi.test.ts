/**
 * oauth4webapi v3, the low-level building blocks openid-client is made of: discovery
 * (both well-known documents) and the client credentials grant with each secret method.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, BILLING, ORDERS, POSTER, serveInterop, verifyWithJose } from './helpers.js';

type Served = Awaited<ReturnType<typeof serveInterop>>;

let server: Served;
beforeAll(async () => {
  server = await serveInterop('ES256');
});
afterAll(async () => {
  await server?.close();
});

const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function discover(algorithm: 'oidc' | 'oauth2' = 'oidc'): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(server.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm, ...insecure });
  return oauth.processDiscoveryResponse(issuer, response);
}

describe('oauth4webapi: discovery', () => {
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    it(`processes the ${algorithm === 'oidc' ? 'openid-configuration' : 'oauth-authorization-server'} document`, async () => {
      const as = await discover(algorithm);
      expect(as.issuer).toBe(server.issuer);
      expect(as.token_endpoint).toBe(`${server.issuer}/token`);
      expect(as.jwks_uri).toBe(`${server.issuer}/jwks`);
      expect(as.grant_types_supported).toContain('client_credentials');
      expect(as.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    });
  }

  it('both well-known documents say the same', async () => {
    expect(await discover('oidc')).toEqual(await discover('oauth2'));
  });
});

describe('oauth4webapi: client credentials grant', () => {
  it('client_secret_basic, scope and resource', async () => {
    const as = await discover();
    const c: oauth.Client = { client_id: ORDERS.id };
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretBasic(ORDERS.secret), { scope: 'orders.write', resource: BILLING }, insecure);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const result = await oauth.processClientCredentialsResponse(as, c, response);
    expect(result.token_type).toBe('bearer');
    expect(typeof result.expires_in).toBe('number');
    expect(result.expires_in).toBeGreaterThan(0);
    expect(result.scope).toBe('orders.write');
    await verifyWithJose(result.access_token, { issuer: server.issuer, clientId: ORDERS.id, audience: BILLING, scope: 'orders.write', alg: 'ES256' });
  });

  it('client_secret_post, default scope', async () => {
    const as = await discover('oauth2');
    const c: oauth.Client = { client_id: POSTER.id };
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretPost(POSTER.secret), new URLSearchParams(), insecure);
    const result = await oauth.processClientCredentialsResponse(as, c, response);
    expect(result.token_type).toBe('bearer');
    expect(result.scope).toBe('orders.read');
    await verifyWithJose(result.access_token, { issuer: server.issuer, clientId: POSTER.id, audience: server.issuer, scope: 'orders.read', alg: 'ES256' });
  });

  it('a secret method other than the registered one is refused: invalid_client', async () => {
    const as = await discover();
    const c: oauth.Client = { client_id: ORDERS.id };
    // orders-service is registered for client_secret_basic; the right secret in the body is not enough.
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretPost(ORDERS.secret), {}, insecure);
    expect(response.status).toBe(401);
    const error = await oauth.processClientCredentialsResponse(as, c, response).then(() => undefined, (e: unknown) => e);
    expect(errorOf(error)).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('invalid_scope surfaces as ResponseBodyError', async () => {
    const as = await discover();
    const c: oauth.Client = { client_id: POSTER.id };
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretPost(POSTER.secret), { scope: 'orders.read orders.write' }, insecure);
    const error = await oauth.processClientCredentialsResponse(as, c, response).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect((error as oauth.ResponseBodyError).error).toBe('invalid_scope');
    expect((error as oauth.ResponseBodyError).status).toBe(400);
  });
});

function errorOf(error: unknown): { status: number; error: string | undefined } {
  if (error instanceof oauth.ResponseBodyError) return { status: error.status, error: error.error };
  if (error instanceof oauth.WWWAuthenticateChallengeError) return { status: error.status, error: error.cause[0]?.parameters.error };
  throw error;
}
