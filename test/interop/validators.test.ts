/**
 * Resource servers validating Sluice tokens with the published JWKS, with the libraries
 * people actually use: jose, express-oauth2-jwt-bearer (Auth0's Express middleware, RFC
 * 9068 profile in strict mode) and jwks-rsa + jsonwebtoken. Each for every key type
 * Sluice signs with that the library supports, and with a second, unused key in the JWKS
 * so that the key has to be chosen by kid.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { afterAll, describe, expect, it } from 'vitest';
import { basic, postToken } from '../helpers/sluice.js';
import { ALG_SETUPS, API, BILLING, ORDERS, POSTER, expectSluiceClaims, kidOf, serversPerAlg, type Alg, type Served } from './helpers.js';

const SETUPS = ALG_SETUPS;
const served = serversPerAlg();

async function ordersToken(s: Served, form: Record<string, string> = { scope: 'orders.read', resource: API }): Promise<string> {
  const { status, body } = await postToken(s.url, { grant_type: 'client_credentials', ...form }, { authorization: basic(ORDERS.id, ORDERS.secret) });
  expect(status).toBe(200);
  expect(body.token_type).toBe('Bearer');
  return String(body.access_token);
}

describe('the published JWKS', () => {
  for (const { alg, spare } of SETUPS) {
    it(`${alg}: lists the signing key and the spare one, each with kid and use sig; the token's kid names the signing key`, async () => {
      const s = served(alg);
      const response = await fetch(s.jwksUri);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/(jwk-set\+)?json/);
      const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        expect(typeof key.kid).toBe('string');
        expect(key.use).toBe('sig');
        expect(key).not.toHaveProperty('d'); // public keys only
      }
      expect(new Set(keys.map((k) => k.kid)).size).toBe(2);
      const { jwk } = await kidOf(await ordersToken(s), s.issuer);
      expect(jwk).toBeDefined();
      expect(jwk!.kty).toBe({ ES256: 'EC', RS256: 'RSA', EdDSA: 'OKP' }[alg]);
      expect(keys.some((k) => k.kty === { ES256: 'EC', RS256: 'RSA', EdDSA: 'OKP' }[spare])).toBe(true);
    });
  }
});

describe('jose: createRemoteJWKSet + jwtVerify', () => {
  for (const { alg } of SETUPS) {
    it(`${alg}: verifies with issuer, audience, typ at+jwt and alg pinned`, async () => {
      const s = served(alg);
      const token = await ordersToken(s);
      const jwks = createRemoteJWKSet(new URL(s.jwksUri));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: s.issuer, audience: API, typ: 'at+jwt', algorithms: [alg] });
      expect(protectedHeader).toMatchObject({ alg, typ: 'at+jwt' });
      expect((await kidOf(token, s.issuer)).kid).toBe(protectedHeader.kid);
      expectSluiceClaims(payload, { issuer: s.issuer, clientId: ORDERS.id, audience: API, scope: 'orders.read', alg });
      expect(payload).toMatchObject({ appid: 'orders', roles: ['order-reader'] });
    });
  }

  it('refuses the token for another audience, another issuer or another typ', async () => {
    const s = served('ES256');
    const token = await ordersToken(s);
    const jwks = createRemoteJWKSet(new URL(s.jwksUri));
    await expect(jwtVerify(token, jwks, { issuer: s.issuer, audience: BILLING })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
    await expect(jwtVerify(token, jwks, { issuer: 'https://other.example.com', audience: API })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' });
    await expect(jwtVerify(token, jwks, { typ: 'JWT' })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' });
  });

  it("refuses a token from another Sluice server (another key, another issuer)", async () => {
    const token = await ordersToken(served('ES256'));
    const other = served('RS256');
    await expect(jwtVerify(token, createRemoteJWKSet(new URL(other.jwksUri)), { issuer: other.issuer })).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe('express-oauth2-jwt-bearer', () => {
  const apps: Server[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => new Promise((resolve) => a.close(resolve))));
  });

  /** A tiny API protected by the middleware, as its README shows; returns its base URL. */
  async function api(options: Parameters<typeof auth>[0]): Promise<string> {
    const app = express();
    app.get('/orders', auth(options), requiredScopes('orders.read'), (req, res) => {
      res.json({ sub: req.auth?.payload.sub, typ: req.auth?.header.typ, scope: req.auth?.payload.scope });
    });
    app.get('/admin', auth(options), requiredScopes('orders.admin'), (_req, res) => {
      res.json({ ok: true });
    });
    const onError: ErrorRequestHandler = (err: { status?: number; code?: string; headers?: Record<string, string> }, _req, res, _next) => {
      res.status(err.status ?? 500).set(err.headers ?? {}).json({ error: err.code ?? 'error' });
    };
    app.use(onError);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    apps.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function call(base: string, path: string, token: string) {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Record<string, unknown> };
  }

  for (const { alg } of SETUPS) {
    it(`${alg}: issuerBaseURL discovery over http, strict RFC 9068 profile`, async () => {
      const s = served(alg);
      // The middleware fetches discovery and the JWKS over http as well as https.
      const base = await api({ issuerBaseURL: s.issuer, audience: API, strict: true });
      const token = await ordersToken(s);
      const ok = await call(base, '/orders', token);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ sub: ORDERS.id, typ: 'at+jwt', scope: 'orders.read' });

      const forbidden = await call(base, '/admin', token);
      expect(forbidden.status).toBe(403);
      expect(forbidden.challenge).toMatch(/error="insufficient_scope"/);
    });
  }

  it('issuer + jwksUri + tokenSigningAlg, without discovery', async () => {
    const s = served('RS256');
    const base = await api({ issuer: s.issuer, jwksUri: s.jwksUri, audience: API, tokenSigningAlg: 'RS256', strict: true });
    expect((await call(base, '/orders', await ordersToken(s))).status).toBe(200);
  });

  it('answers 401 invalid_token for a token for another audience', async () => {
    const s = served('ES256');
    const base = await api({ issuerBaseURL: s.issuer, audience: API, strict: true });
    const token = await ordersToken(s, { scope: 'orders.read', resource: BILLING });
    const refused = await call(base, '/orders', token);
    expect(refused.status).toBe(401);
    expect(refused.challenge).toMatch(/error="invalid_token"/);
  });

  it('accepts a token whose audience defaulted to the issuer when the API is the issuer', async () => {
    const s = served('ES256');
    const base = await api({ issuerBaseURL: s.issuer, audience: s.issuer, strict: true });
    const { status, body } = await postToken(s.url, { grant_type: 'client_credentials', client_id: POSTER.id, client_secret: POSTER.secret });
    expect(status).toBe(200);
    const ok = await call(base, '/orders', String(body.access_token));
    expect(ok.status).toBe(200);
    expect(ok.body.sub).toBe(POSTER.id);
  });
});

describe('jwks-rsa + jsonwebtoken', () => {
  // jsonwebtoken 9 has no EdDSA: ES256 and RS256 only.
  for (const alg of ['ES256', 'RS256'] as const) {
    it(`${alg}: getSigningKey(kid), then jwt.verify with algorithms, issuer and audience`, async () => {
      const s = served(alg);
      const token = await ordersToken(s, { scope: 'orders.read orders.write' });
      const decoded = jwt.decode(token, { complete: true });
      expect(decoded?.header.typ).toBe('at+jwt');
      const kid = decoded?.header.kid;
      expect(typeof kid).toBe('string');

      const jwks = new JwksClient({ jwksUri: s.jwksUri });
      const key = await jwks.getSigningKey(kid);
      expect(key.kid).toBe(kid);
      expect(key.alg).toBe(alg);
      const payload = jwt.verify(token, key.getPublicKey(), { algorithms: [alg], issuer: s.issuer, audience: BILLING }) as jwt.JwtPayload;
      expectSluiceClaims(payload, { issuer: s.issuer, clientId: ORDERS.id, audience: [API, BILLING], scope: 'orders.read orders.write', alg });

      // The spare key is in the JWKS too, and is not the one that verifies.
      const all = await jwks.getSigningKeys();
      expect(all).toHaveLength(2);
      const spare = all.find((k) => k.kid !== kid)!;
      expect(() => jwt.verify(token, spare.getPublicKey(), { algorithms: [alg] })).toThrow();
    });
  }
});
