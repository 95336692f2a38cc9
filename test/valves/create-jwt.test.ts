import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };
const grant = { grant_type: 'client_credentials' };

function withCreateJwt(config: string, keystoreAlg = 'ES256'): string {
  return BASIC_CONFIG.replace('alg: ES256', `alg: ${keystoreAlg}`).replace(
    /      - name: CreateJwt\n        config:\n(?:          .*\n)+/,
    `      - name: CreateJwt\n        config:\n${config.trim().split('\n').map((l) => `          ${l}`).join('\n')}\n`,
  );
}

describe('CreateJwt', () => {
  describe('with the default claims', () => {
    let s: Running;
    beforeAll(async () => {
      s = await serve(withCreateJwt(`
keystore: signing
jwt_ttl: 15m
jwt_claims:
  appid: \${client.attributes.appid}
  roles: \${client.attributes.roles}
  greeting: "hello \${client.client_id} (\${grant.scope})"
  requested: \${request.requested_scope}
  fid_scope: \${request.scope}
  fid_text: "granted: \${request.scope}"
  tier: gold`), { env: BASIC_ENV });
    });
    afterAll(() => s.close());

    it('issues an RFC 9068 access token that verifies against /jwks', async () => {
      const r = await postToken(s.url, { ...grant, scope: 'orders.read' }, auth);
      expect(r.status).toBe(200);
      const { payload, header } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.engine.issuer });
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      const jwks = (await (await fetch(`${s.url}/jwks`)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
      expect(payload).toMatchObject({
        iss: s.engine.issuer,
        sub: 'orders-service',
        client_id: 'orders-service',
        scope: 'orders.read',
        aud: ['https://api.example.com', 'https://billing.example.com'],
      });
      expect(payload.exp! - payload.iat!).toBe(15 * 60);
      expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    });

    it('renders templates: typed when whole, stringified inside text', async () => {
      const r = await postToken(s.url, { ...grant, scope: 'orders.read orders.write' }, auth);
      const { payload } = await verifyToken(s.url, String(r.body.access_token));
      expect(payload.appid).toBe('orders');
      expect(payload.roles).toEqual(['order-reader']);
      expect(payload.greeting).toBe('hello orders-service (orders.read orders.write)');
      expect(payload.requested).toEqual(['orders.read', 'orders.write']);
      expect(payload.fid_scope).toBe('orders.read orders.write'); // FortifiedID's ${request.scope}: granted, space-separated
      expect(payload.fid_text).toBe('granted: orders.read orders.write');
      expect(payload.tier).toBe('gold');
    });

    it("${request.scope} is the granted scope: ScopeCheck's default grant when none is asked for, never a refused one", async () => {
      const none = await postToken(s.url, grant, auth);
      const { payload } = await verifyToken(s.url, String(none.body.access_token));
      expect(payload.fid_scope).toBe('orders.read orders.write');
      expect(payload.requested).toEqual([]);
      const refused = await postToken(s.url, { ...grant, scope: 'orders.read admin' }, auth);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_scope');
    });

    it('gives every token a fresh jti', async () => {
      const [a, b] = await Promise.all([postToken(s.url, grant, auth), postToken(s.url, grant, auth)]);
      const [pa, pb] = await Promise.all([verifyToken(s.url, String(a.body.access_token)), verifyToken(s.url, String(b.body.access_token))]);
      expect(pa.payload.jti).not.toBe(pb.payload.jti);
    });
  });

  it.each([
    ['RS256', 'RS256', undefined],
    ['PS256', 'PS256', undefined],
    ['ES384', 'ES384', undefined],
    ['EdDSA', 'EdDSA', undefined],
  ])('signs with %s', async (_name, keyAlg, valveAlg) => {
    const s = await serve(withCreateJwt(`keystore: signing\n${valveAlg ? `alg: ${valveAlg}` : ''}`, keyAlg), { env: BASIC_ENV });
    try {
      const r = await postToken(s.url, grant, auth);
      const { header } = await verifyToken(s.url, String(r.body.access_token));
      expect(header.alg).toBe(valveAlg ?? keyAlg);
    } finally {
      await s.close();
    }
  });

  it('lets jwt_claims override the standard claims and jwt_headers set typ', async () => {
    const s = await serve(withCreateJwt('keystore: signing\njwt_ttl: 90s\njwt_headers: { typ: JWT }\njwt_claims: { sub: "svc:${client.attributes.appid}" }'), { env: BASIC_ENV });
    try {
      const r = await postToken(s.url, grant, auth);
      expect(r.body.expires_in).toBe(90);
      const jwks = (await import('jose')).createRemoteJWKSet(new URL(`${s.url}/jwks`));
      const { payload, protectedHeader } = await (await import('jose')).jwtVerify(String(r.body.access_token), jwks);
      expect(protectedHeader.typ).toBe('JWT');
      expect(payload.sub).toBe('svc:orders');
    } finally {
      await s.close();
    }
  });

  it('signs a header that depends on the client per request, and a constant one encoded once, both verifying', async () => {
    const s = await serve(withCreateJwt('keystore: signing\njwt_headers: { x-app: "${client.attributes.appid}" }'), { env: BASIC_ENV });
    try {
      const tokens = [await postToken(s.url, grant, auth), await postToken(s.url, grant, auth)].map((r) => String(r.body.access_token));
      for (const token of tokens) {
        const { header } = await verifyToken(s.url, token);
        expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', 'x-app': 'orders' });
      }
      expect(tokens[0]).not.toBe(tokens[1]);
    } finally {
      await s.close();
    }
  });

  // A claim named __proto__ is refused by check (test/engine/yaml-source.test.ts).
  it('keeps typ at+jwt when jwt_headers adds other members', async () => {
    const s = await serve(withCreateJwt('keystore: signing\njwt_headers: { cty: orders }'), { env: BASIC_ENV });
    try {
      const r = await postToken(s.url, grant, auth);
      const { header, payload } = await verifyToken(s.url, String(r.body.access_token));
      expect(header).toMatchObject({ typ: 'at+jwt', cty: 'orders' });
    } finally {
      await s.close();
    }
  });

  const configErrors: Array<[string, string, string, RegExp]> = [
    ['an unknown keystore', 'keystore: nope', 'unknown_keystore', /unknown keystore 'nope'/],
    ['an alg the key cannot sign', 'keystore: signing\nalg: RS256', 'valve_config', /cannot sign RS256/],
    ['an alg other than the one the keystore publishes', 'keystore: signing\nalg: ES384', 'valve_config', /cannot sign ES384/],
    ['a malformed duration', 'keystore: signing\njwt_ttl: 5 minutes', 'schema', /jwt_ttl/],
    ['a zero ttl', 'keystore: signing\njwt_ttl: 0', 'schema', /jwt_ttl/],
    ['kid in jwt_headers', 'keystore: signing\njwt_headers: { kid: x }', 'valve_config', /kid/],
    ['a misspelt key', 'keystore: signing\njwt_tll: 5', 'schema', /unknown key 'jwt_tll' \(did you mean 'jwt_ttl'\?\)/],
    ['an unknown template namespace', 'keystore: signing\njwt_claims: { x: "${secret.x}" }', 'template', /unknown namespace 'secret'/],
  ];
  it.each(configErrors)('refuses %s at load, pointing into the YAML', async (_name, config, code, message) => {
    const { engine, diagnostics } = await load(withCreateJwt(config), { env: BASIC_ENV });
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code });
    expect(errors[0]!.message).toMatch(message);
    expect(errors[0]!.line).toBeGreaterThan(25); // inside the CreateJwt entry, not the top of the file
  });
});

describe('CreateJwt and a keystore that pins its alg', () => {
  it('refuses PS256 on an RSA keystore published as RS256, since verifiers would reject it', async () => {
    const { engine, diagnostics } = await load(withCreateJwt('keystore: signing\nalg: PS256', 'RS256'), { env: BASIC_ENV });
    expect(engine).toBeUndefined();
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'valve_config', message: expect.stringMatching(/cannot sign PS256; it can sign RS256$/) });
  });
});
