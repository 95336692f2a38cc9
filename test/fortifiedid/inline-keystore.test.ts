/**
 * FortifiedID's documented client_credentials pipe, pasted as the JSON the issue quotes
 * (the docs' text; the issue already shortens keystore.path to "keystore.p12"), signing with
 * its inline keystore `{path, password, type: PKCS12}` + keystore_alias/keystore_password,
 * a PKCS#12 made by openssl. Served over HTTP, its tokens verify against /jwks the way a
 * FortifiedID user's resource server verifies them, and only against the inline key.
 */
import { createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';
import { opensslP12 } from '../helpers/openssl-p12.js';
import { DOCUMENTED_PIPE, documentedConfig, RP } from './documented-pipe.js';

const SECRET = 'm2m-secret-0123456789abcdef';
const ENV = { M2M_SECRET: SECRET, P12_PASSWORD: 'supersecret' };
const GRANT = { grant_type: 'client_credentials' };

async function jwks(url: string): Promise<{ keys: JWK[] }> {
  return (await (await fetch(`${url}/jwks`)).json()) as { keys: JWK[] };
}

async function tokenFrom(s: Running, client = 'm2m-client'): Promise<{ status: number; body: Record<string, unknown> }> {
  return postToken(s.url, GRANT, { authorization: basic(client, SECRET) });
}

describe('the documented pipe with an inline PKCS#12 keystore (RSA 2048, alias jwt)', () => {
  let s: Running;
  const other = opensslP12('rsa', { alias: 'other' });
  beforeAll(async () => {
    // A second RSA key, published beside the inline one, that must not verify its tokens.
    s = await serve(documentedConfig('keystores:\n  - { id: other, type: pkcs12, path: other.p12, password: supersecret }\n'), {
      env: ENV,
      files: { 'keystore.p12': opensslP12('rsa'), 'other.p12': other },
    });
  });
  afterAll(() => s.close());

  it('answers POST /token (client_secret_basic) with the JsonObjectCreate object, its token verifying against the served /jwks', async () => {
    const r = await tokenFrom(s);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'read' });
    const { payload, protectedHeader } = await jwtVerify(r.body.access_token as string, createLocalJWKSet(await jwks(s.url)), {
      typ: 'at+jwt', issuer: 'https://op.example.com', audience: 'https://api.example.com/',
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt', test_header: 'test_header' });
    expect(payload).toMatchObject({ test_claim: 'test_claim', sub: 'm2m-client', client_id: 'm2m-client', iss: 'https://op.example.com', aud: ['https://api.example.com/'] });
    expect(payload.exp! - payload.iat!).toBe(3600); // jwt_ttl 60 is minutes
  });

  it('publishes the inline key once, beside the keystores: entry, and discovery lists its alg', async () => {
    const { keys } = await jwks(s.url);
    expect(keys).toHaveLength(2);
    expect(new Set(keys.map((k) => k.kid)).size).toBe(2);
    const meta = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(meta.id_token_signing_alg_values_supported).toContain('RS256');
  });

  it('a token the inline key signs verifies with no other published key', async () => {
    const token = (await tokenFrom(s)).body.access_token as string;
    const { kid } = decodeProtectedHeader(token);
    const others = (await jwks(s.url)).keys.filter((k) => k.kid !== kid);
    expect(others).toHaveLength(1);
    for (const key of others) {
      await expect(jwtVerify(token, await importJWK(key, 'RS256'))).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
      // Nor by a resource server that is handed only that key under the token's kid.
      await expect(jwtVerify(token, createLocalJWKSet({ keys: [{ ...key, kid }] }))).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    }
  });

  it('a wrong client secret gets invalid_client and no token', async () => {
    const r = await postToken(s.url, GRANT, { authorization: basic('m2m-client', 'wrong-secret-0123456789') });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(r.body.access_token).toBeUndefined();
  });

  it('logs neither the keystore password nor the token', async () => {
    const r = await tokenFrom(s);
    expect(s.logs.text).not.toContain('supersecret');
    expect(s.logs.text).not.toContain(r.body.access_token as string);
  });
});

describe('inline keystores, more ways', () => {
  it('an EC P-256 PKCS#12 signs ES256, and discovery lists ES256', async () => {
    const s = await serve(documentedConfig(), { env: ENV, files: { 'keystore.p12': opensslP12('ec') } });
    try {
      const r = await tokenFrom(s);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const { protectedHeader } = await jwtVerify(r.body.access_token as string, createLocalJWKSet(await jwks(s.url)), { issuer: 'https://op.example.com' });
      expect(protectedHeader.alg).toBe('ES256');
      const meta = (await (await fetch(`${s.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, string[]>;
      expect(meta.id_token_signing_alg_values_supported).toContain('ES256');
    } finally {
      await s.close();
    }
  });

  it('two pipes naming the same file and alias publish one JWK, and both sign with it', async () => {
    const yaml = documentedConfig('', {
      rps: [RP.replace('m2m-client', 'second').replace('"client_credentials_pipe"', '"second_pipe"')],
      pipes: [DOCUMENTED_PIPE.replace('"client_credentials_pipe"', '"second_pipe"')],
    });
    const s = await serve(yaml, { env: ENV, files: { 'keystore.p12': opensslP12('rsa') } });
    try {
      const { keys } = await jwks(s.url);
      expect(keys).toHaveLength(1);
      const a = await tokenFrom(s);
      const b = await tokenFrom(s, 'second');
      expect([a.status, b.status]).toEqual([200, 200]);
      const set = createLocalJWKSet({ keys });
      for (const token of [a.body.access_token, b.body.access_token] as string[]) {
        expect(decodeProtectedHeader(token).kid).toBe(keys[0]!.kid);
        await jwtVerify(token, set, { issuer: 'https://op.example.com' });
      }
    } finally {
      await s.close();
    }
  });

  it('an inline keystore whose file is also a keystores: entry signs as that entry (its kid), published once', async () => {
    const s = await serve(documentedConfig('keystores:\n  - { id: main, type: pkcs12, path: keystore.p12, password: supersecret, kid: main-2026 }\n'), {
      env: ENV, files: { 'keystore.p12': opensslP12('rsa') },
    });
    try {
      const { keys } = await jwks(s.url);
      expect(keys.map((k) => k.kid)).toEqual(['main-2026']);
      const r = await tokenFrom(s);
      expect(decodeProtectedHeader(r.body.access_token as string).kid).toBe('main-2026');
      await jwtVerify(r.body.access_token as string, createLocalJWKSet({ keys }), { issuer: 'https://op.example.com' });
    } finally {
      await s.close();
    }
  });

  it('passwords from ${env.…} and ${file.…}, a type in any case and no alias (the first key) serve too', async () => {
    const yaml = documentedConfig()
      .replace('"password": "supersecret", "type": "PKCS12"', '"password": "${env.P12_PASSWORD}", "type": "pkcs12"')
      .replace('"keystore_password": "supersecret", "keystore_alias": "jwt"', '"keystore_password": "${file.key-password.txt}"');
    const s = await serve(yaml, { env: ENV, files: { 'keystore.p12': opensslP12('rsa', { alias: 'whatever' }), 'key-password.txt': 'supersecret\n' } });
    try {
      const r = await tokenFrom(s);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      await jwtVerify(r.body.access_token as string, createLocalJWKSet(await jwks(s.url)), { issuer: 'https://op.example.com' });
    } finally {
      await s.close();
    }
  });

  it('a password holding "${" (from the environment) is read as written, not as an expression', async () => {
    const password = 'pa$${x}ss${y';
    const yaml = documentedConfig()
      .replace('"password": "supersecret"', '"password": "${env.P12_PASSWORD}"')
      .replace('"keystore_password": "supersecret", ', '');
    const s = await serve(yaml, { env: { ...ENV, P12_PASSWORD: password }, files: { 'keystore.p12': opensslP12('rsa', { password }) } });
    try {
      expect((await tokenFrom(s)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('a keystores: entry with publish: false and the same key does not hide it: the inline one is published', async () => {
    const s = await serve(documentedConfig('keystores:\n  - { id: hidden, type: pkcs12, path: keystore.p12, password: supersecret, publish: false }\n'), {
      env: ENV, files: { 'keystore.p12': opensslP12('rsa') },
    });
    try {
      const { keys } = await jwks(s.url);
      expect(keys).toHaveLength(1);
      const r = await tokenFrom(s);
      await jwtVerify(r.body.access_token as string, createLocalJWKSet({ keys }), { issuer: 'https://op.example.com' });
    } finally {
      await s.close();
    }
  });

  it("another key under the inline key's kid is an error at keystore.path (verifiers could not tell them apart)", async () => {
    const key = opensslP12('rsa');
    const first = await serve(documentedConfig(), { env: ENV, files: { 'keystore.p12': key } });
    const [{ kid }] = (await jwks(first.url)).keys as [JWK];
    await first.close();
    const yaml = documentedConfig(`keystores:\n  - { id: other, type: pkcs12, path: other.p12, password: supersecret, kid: "${kid!}" }\n`);
    const { engine, diagnostics } = await load(yaml, { env: ENV, files: { 'keystore.p12': key, 'other.p12': opensslP12('rsa') } });
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error').map(({ line, col, code }) => ({ line, col, code })))
      .toEqual([{ ...positionOf(yaml, '"keystore.p12"'), code: 'duplicate_id' }]);
  });

  it("introspection knows the inline key's tokens as ours (issuer = the pipe's iss)", async () => {
    const yaml = documentedConfig('', { rps: ['{ "client_id": "rs", "client_secret": "${env.M2M_SECRET}", "introspection": true }'] })
      .replace('issuer: http://127.0.0.1:8080', 'issuer: https://op.example.com');
    const s = await serve(yaml, { env: ENV, files: { 'keystore.p12': opensslP12('ec') } });
    try {
      const token = (await tokenFrom(s)).body.access_token as string;
      const response = await fetch(`${s.url}/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('rs', SECRET) },
        body: new URLSearchParams({ token }),
      });
      expect(await response.json()).toMatchObject({ active: true, client_id: 'm2m-client', sub: 'm2m-client' });
    } finally {
      await s.close();
    }
  });
});
