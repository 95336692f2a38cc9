/**
 * POST /introspect (RFC 7662, RFC 9701) for our JWT access tokens: what a resource server
 * and a client learn about a token, and what they do not.
 */
import { generateKeyPair, SignJWT, createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../helpers/sluice.js';
import { introspect, ORDERS, ordersToken, POSTER, posterToken, postForm, RESOURCE_SERVER, serveLifecycle, type Lifecycle } from './helpers.js';

let server: Lifecycle;
let other: Lifecycle;
beforeAll(async () => {
  [server, other] = await Promise.all([serveLifecycle(), serveLifecycle()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), other?.close()]);
});

const insecure = { execute: [client.allowInsecureRequests] };

describe('introspection with openid-client', () => {
  it('a resource server introspects a client token with tokenIntrospection: active, with the token claims', async () => {
    const token = await ordersToken(server.url, 'orders.read');
    const config = await client.discovery(new URL(server.url), RESOURCE_SERVER.id, RESOURCE_SERVER.secret, client.ClientSecretBasic(RESOURCE_SERVER.secret), insecure);
    expect(config.serverMetadata().introspection_endpoint).toBe(`${server.url}/introspect`);
    const answer = await client.tokenIntrospection(config, token);
    expect(answer).toMatchObject({
      active: true,
      client_id: ORDERS.id,
      sub: ORDERS.id,
      scope: 'orders.read',
      iss: server.url,
      aud: ['https://api.example.com', 'https://billing.example.com'], // every audience the client may have
      token_type: 'Bearer',
      appid: 'orders',
      roles: ['order-reader'],
    });
    expect(typeof answer.exp).toBe('number');
    expect(typeof answer.iat).toBe('number');
    expect(typeof answer.jti).toBe('string');
  });

  it('a client introspects its own token with client_secret_post', async () => {
    const token = await posterToken(server.url);
    const config = await client.discovery(new URL(server.url), POSTER.id, POSTER.secret, client.ClientSecretPost(POSTER.secret), insecure);
    const answer = await client.tokenIntrospection(config, token);
    expect(answer).toMatchObject({ active: true, client_id: POSTER.id });
  });
});

describe('introspection: inactive tokens are {"active": false} and nothing more', () => {
  it('answers token_type Bearer as sent on the wire', async () => {
    const answer = await introspect(server.url, await ordersToken(server.url));
    expect(answer.status).toBe(200);
    expect(answer.body.token_type).toBe('Bearer');
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('an expired token', async () => {
    const token = await ordersToken(other.url);
    expect((await introspect(other.url, token)).body.active).toBe(true);
    other.clock.seconds += 11 * 60; // jwt_ttl is 10 minutes
    try {
      expect((await introspect(other.url, token)).body).toEqual({ active: false });
    } finally {
      other.clock.seconds -= 11 * 60;
    }
  });

  it('garbage, and a token that is not a JWS', async () => {
    for (const token of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'x'.repeat(5000)]) {
      const answer = await introspect(server.url, token);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ active: false });
    }
  });

  it('a token from another Sluice (another key, same claims)', async () => {
    const foreign = await ordersToken(other.url);
    expect((await introspect(server.url, foreign)).body).toEqual({ active: false });
  });

  it('a JWT signed by a stranger naming our issuer and a client of ours', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ client_id: ORDERS.id, scope: 'orders.read' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: (server.engine.jwks.keys[0]!.kid as string) })
      .setIssuer(server.url).setSubject(ORDERS.id).setAudience(server.url).setIssuedAt(now).setExpirationTime(now + 600).setJti('forged-1')
      .sign(privateKey);
    expect((await introspect(server.url, forged)).body).toEqual({ active: false });
  });

  it("another client's token, asked by a client that is not a resource server", async () => {
    const token = await ordersToken(server.url);
    const asPoster = await postForm(server.url, '/introspect', { token, client_id: POSTER.id, client_secret: POSTER.secret });
    expect(asPoster.status).toBe(200);
    expect(JSON.parse(asPoster.text)).toEqual({ active: false });
    // The same token is active for the resource server and for its own client.
    expect((await introspect(server.url, token)).body.active).toBe(true);
    expect((await introspect(server.url, token, ORDERS)).body.active).toBe(true);
  });

  it('our own signed introspection response is not an access token', async () => {
    const token = await ordersToken(server.url);
    const raw = await postForm(server.url, '/introspect', { token }, { authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret), accept: 'application/token-introspection+jwt' });
    expect((await introspect(server.url, raw.text)).body).toEqual({ active: false });
  });
});

describe('introspection: the caller is authenticated as at the token endpoint', () => {
  it('an unauthenticated caller gets the same 401 as at the token endpoint', async () => {
    const token = await ordersToken(server.url);
    const cases: Array<Record<string, string>> = [
      { authorization: basic(ORDERS.id, 'wrong-secret') },
      { authorization: basic('no-such-client', 'whatever') },
      {},
    ];
    for (const headers of cases) {
      const atIntrospect = await postForm(server.url, '/introspect', { token }, headers);
      const atToken = await postForm(server.url, '/token', { grant_type: 'client_credentials' }, headers);
      expect(atIntrospect.status).toBe(401);
      expect(atIntrospect.status).toBe(atToken.status);
      expect(atIntrospect.text).toBe(atToken.text);
      expect(atIntrospect.headers.get('www-authenticate')).toBe(atToken.headers.get('www-authenticate'));
    }
  });

  it('token is required once the caller is authenticated', async () => {
    const answer = await postForm(server.url, '/introspect', {}, { authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret) });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toBe('invalid_request');
  });
});

describe('introspection as a signed JWT (RFC 9701)', () => {
  it('verifies with jose against our /jwks, typed, for the caller, with the RFC 7662 answer inside', async () => {
    const token = await ordersToken(server.url);
    const answer = await postForm(server.url, '/introspect', { token }, { authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret), accept: 'application/token-introspection+jwt' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/token-introspection\+jwt/);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(answer.text, jwks, { issuer: server.url, audience: RESOURCE_SERVER.id, typ: 'token-introspection+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(typeof payload.iat).toBe('number');
    expect(payload.token_introspection).toMatchObject({ active: true, client_id: ORDERS.id, scope: 'orders.read', token_type: 'Bearer' });
    const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.introspection_signing_alg_values_supported).toEqual([decodeProtectedHeader(answer.text).alg]);
  });

  it('an inactive token is a signed {"active": false}', async () => {
    const answer = await postForm(server.url, '/introspect', { token: 'garbage' }, { authorization: basic(ORDERS.id, ORDERS.secret), accept: 'application/token-introspection+jwt' });
    const { payload } = await jwtVerify(answer.text, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: ORDERS.id });
    expect(payload.token_introspection).toEqual({ active: false });
  });
});

describe('introspection: discovery and logs', () => {
  it('discovery lists the three endpoints and their auth methods', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      introspection_endpoint: `${server.url}/introspect`,
      revocation_endpoint: `${server.url}/revoke`,
      userinfo_endpoint: `${server.url}/userinfo`,
    });
    expect(metadata.introspection_endpoint_auth_methods_supported).toEqual(metadata.token_endpoint_auth_methods_supported);
    expect(metadata.revocation_endpoint_auth_methods_supported).toEqual(metadata.token_endpoint_auth_methods_supported);
  });

  it('one log line per request, and never the token', async () => {
    const token = await ordersToken(server.url);
    const before = server.logs.lines.length;
    await introspect(server.url, token);
    await introspect(server.url, 'garbage-token-value');
    const lines = server.logs.lines.slice(before).filter((line) => line.event === 'introspect');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ client_id: RESOURCE_SERVER.id, active: true, token_client_id: ORDERS.id, outcome: 'answered' });
    expect(lines[1]).toMatchObject({ active: false });
    expect(server.logs.text).not.toContain(token);
    expect(server.logs.text).not.toContain(token.split('.')[2]);
    expect(server.logs.text).not.toContain('garbage-token-value');
  });
});
