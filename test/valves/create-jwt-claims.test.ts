/**
 * CreateJwt's guard rails on jwt_headers and jwt_claims (issue 9, item 7): dangerous JOSE
 * headers and non-numeric time claims are check errors; caller-controlled templates in
 * identity claims are errors unless `allow_request_claims` names the values a client may
 * choose; overriding iss, exp, aud or jti is a warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };
const auth = { authorization: basic('svc', ENV.SVC_SECRET) };
const grant = { grant_type: 'client_credentials' };

/** A config whose CreateJwt valve has `createJwt` (YAML lines) as its config. */
function config(createJwt: string): string {
  const body = createJwt.trim().split('\n').map((l) => `          ${l}`).join('\n');
  return `
issuer: http://127.0.0.1:8080
keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read, orders.write]
    audiences: [https://api.example.com, https://billing.example.com]
    client_credentials_pipe_id: p
    attributes: { allowed_subjects: [svc, svc-batch] }
pipes:
  - id: p
    valves:
      - name: ScopeCheck
      - name: CreateJwt
        config:
          keystore: signing
${body}
      - name: TokenResponse
`;
}

async function diagnosticsOf(createJwt: string) {
  const yaml = config(createJwt);
  const { engine, diagnostics } = await load(yaml, { env: ENV });
  const relevant = diagnostics.filter((d) => d.code !== 'keystore_invalid'); // the generated keystore's dev warning
  return { yaml, engine, errors: relevant.filter((d) => d.severity === 'error'), warnings: relevant.filter((d) => d.severity === 'warning') };
}

describe('CreateJwt: jwt_headers', () => {
  // RFC 8725 section 3.10 / RFC 7515 section 4.1: headers that point verifiers at other keys,
  // change how the signature is computed, or belong to JWE (RFC 7516 section 4.1).
  it.each(['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'enc', 'zip', 'alg', 'kid'])('refuses %s, pointing at the header name', async (name) => {
    const { yaml, engine, errors } = await diagnosticsOf(`jwt_headers:\n  ${name}: "x"`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, `${name}: "x"`) })]);
  });

  it('refuses a header value the caller controls', async () => {
    const { yaml, errors } = await diagnosticsOf('jwt_headers:\n  typ: "${request.params.typ}"');
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"${request.params.typ}"') })]);
  });

  it('accepts typ, cty and private header names', async () => {
    const { engine, errors, warnings } = await diagnosticsOf('jwt_headers:\n  typ: JWT\n  cty: orders\n  test_header: test_header');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(engine).toBeDefined();
  });
});

describe('CreateJwt: time claims', () => {
  it.each([
    ['a word', 'exp: never', 'never'],
    ['a numeric string', 'iat: "1700000000"', '"1700000000"'],
    ['a template that may yield anything', 'nbf: "${client.attributes.start}"', '"${client.attributes.start}"'],
    ['text around ${now}', 'exp: "${now}0"', '"${now}0"'],
    ['a fraction', 'exp: 1700000000.5', '1700000000.5'],
    ['a number in exponent notation', 'exp: 1e300', '1e300'],
  ])('refuses %s, pointing at the value', async (_name, claim, value) => {
    const { yaml, engine, errors } = await diagnosticsOf(`jwt_claims:\n  ${claim}`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, value) })]);
  });

  it('accepts ${now} and integers', async () => {
    const { engine, errors } = await diagnosticsOf('jwt_claims:\n  nbf: "${now}"\n  iat: 1700000000');
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });
});

describe('CreateJwt: claims the caller must not choose', () => {
  it.each([
    ['sub from a form parameter', 'sub: "${request.params.sub}"', '"${request.params.sub}"'],
    ['sub built around a form parameter', 'sub: "svc:${request.params.sub}"', '"svc:${request.params.sub}"'],
    ['aud from the audience parameter', 'aud: ["${request.audience}"]', '"${request.audience}"'],
    ['aud from the resource parameter', 'aud: "${request.resource}"', '"${request.resource}"'],
    ['client_id from a form parameter', 'client_id: "${request.params.client}"', '"${request.params.client}"'],
    ['scope from a form parameter', 'scope: "${request.params.scope}"', '"${request.params.scope}"'],
    ['iss from a form parameter', 'iss: "${request.params.iss}"', '"${request.params.iss}"'],
  ])('refuses %s, pointing at the template', async (_name, claim, value) => {
    const { yaml, engine, errors } = await diagnosticsOf(`jwt_claims:\n  ${claim}`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, value) })]);
  });

  it('lets other claims come from the request', async () => {
    const { engine, errors } = await diagnosticsOf('jwt_claims:\n  tenant: "${request.params.tenant}"\n  sub: "${request.client_id}"');
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });

  it('refuses allow_request_claims for a claim jwt_claims does not set', async () => {
    const { yaml, errors } = await diagnosticsOf('allow_request_claims:\n  sub: "${client.attributes.allowed_subjects}"');
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'sub: "${client') })]);
  });

  it('refuses an allow-list that the caller itself controls', async () => {
    const { yaml, errors } = await diagnosticsOf('jwt_claims:\n  sub: "${request.params.sub}"\nallow_request_claims:\n  sub: "${request.params.allowed}"');
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"${request.params.allowed}"') })]);
  });
});

describe('CreateJwt: overriding registered claims', () => {
  it('warns, at the claim, when iss, exp, aud or jti are set; the config still loads', async () => {
    const { yaml, engine, errors, warnings } = await diagnosticsOf(`jwt_claims:
  iss: https://op.example.com
  exp: "\${now}"
  aud: [https://api.example.com/]
  jti: fixed`);
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    expect(warnings.map((w) => [w.code, w.line, w.col])).toEqual(
      ['iss: https', 'exp: "', 'aud: [', 'jti: fixed'].map((needle) => ['valve_config', positionOf(yaml, needle).line, positionOf(yaml, needle).col]),
    );
  });

  it('does not warn when iss is the server issuer', async () => {
    const { warnings } = await diagnosticsOf('jwt_claims:\n  iss: http://127.0.0.1:8080');
    expect(warnings).toEqual([]);
  });

  // FortifiedID's `scope: ${request.scope}` is the granted scope, space-separated, as there.
  it("keeps FortifiedID's documented claims working: warnings only for iss and aud", async () => {
    const { yaml, engine, errors, warnings } = await diagnosticsOf(`jwt_headers: { test_header: test_header, typ: at+jwt }
jwt_claims:
  test_claim: test_claim
  sub: \${request.client_id}
  iss: https://op.example.com
  aud: ["https://api.example.com/"]
  scope: \${request.scope}`);
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    const at = (needle: string) => positionOf(yaml, needle);
    expect(warnings).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'valve_config', ...at('iss: https') }),
      expect.objectContaining({ code: 'valve_config', ...at('aud: [') }),
    ]));
    expect(warnings.filter((w) => w.line === at('scope: ${request.scope}').line)).toEqual([]);
  });
});

describe('CreateJwt over HTTP: who chooses sub and aud', () => {
  it('a client cannot choose its sub without the opt-in', async () => {
    const s = await serve(config(''), { env: ENV });
    try {
      const r = await postToken(s.url, { ...grant, sub: 'admin', aud: 'https://evil.example' }, auth);
      expect(r.status).toBe(200);
      const { payload } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.engine.issuer });
      expect(payload.sub).toBe('svc');
      expect(payload.aud).toEqual(['https://api.example.com', 'https://billing.example.com']);
    } finally {
      await s.close();
    }
  });

  describe('with allow_request_claims', () => {
    let s: Running;
    beforeAll(async () => {
      s = await serve(config(`jwt_claims:
  sub: "\${request.params.sub}"
  aud: "\${request.params.aud}"
allow_request_claims:
  sub: "\${client.attributes.allowed_subjects}"
  aud: "\${client.audiences}"`), { env: ENV });
    });
    afterAll(() => s.close());

    it('accepts a sub from the allowed list', async () => {
      const r = await postToken(s.url, { ...grant, sub: 'svc-batch' }, auth);
      expect(r.status).toBe(200);
      const { payload } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.engine.issuer });
      expect(payload.sub).toBe('svc-batch');
    });

    it('refuses any other sub with invalid_request', async () => {
      const r = await postToken(s.url, { ...grant, sub: 'admin' }, auth);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      expect(r.body.access_token).toBeUndefined();
    });

    it('keeps sub = client_id when the caller names none', async () => {
      const r = await postToken(s.url, grant, auth);
      const { payload } = await verifyToken(s.url, String(r.body.access_token));
      expect(payload.sub).toBe('svc');
    });

    it('refuses an aud outside the allowed list with invalid_target', async () => {
      const r = await postToken(s.url, { ...grant, aud: 'https://evil.example' }, auth);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_target');
    });

    it('accepts an allowed aud', async () => {
      const r = await postToken(s.url, { ...grant, aud: 'https://billing.example.com' }, auth);
      const { payload } = await verifyToken(s.url, String(r.body.access_token), { audience: 'https://billing.example.com' });
      expect(payload.aud).toBe('https://billing.example.com');
    });
  });
});
