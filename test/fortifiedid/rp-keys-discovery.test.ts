/**
 * FortifiedID's RP keys that Sluice does not take get advice from one table (errors where
 * dropping the key would change tokens, warnings where it has no meaning for M2M), and
 * FortifiedID's documented discovery_meta is merged into discovery without claiming
 * grant types or auth methods the server lacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORTIFIEDID_RP_KEYS } from '../../engine/config/fortifiedid-rp-keys.js';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';
import { verifyToken } from '../helpers/tokens.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

function config(rpExtra: string, top = ''): string {
  return `issuer: http://127.0.0.1:8080
${top}keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: main
${rpExtra}pipes:
  - id: main
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
}

describe("FortifiedID's RP keys", () => {
  it('keys with no meaning for M2M are warnings at the key, and the config loads', async () => {
    const yaml = config(`    redirect_uri: [https://app.example.com/cb]
    id_token_claims: { name: x }
    refresh_token_persist_pipe_id: persist
`);
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeDefined();
    const warnings = diagnostics.filter((d) => d.severity === 'warning' && d.code === 'schema');
    expect(warnings.map(({ line, col }) => ({ line, col }))).toEqual([positionOf(yaml, 'redirect_uri'), positionOf(yaml, 'id_token_claims'), positionOf(yaml, 'refresh_token_persist_pipe_id')]);
    expect(warnings[0]!.message).toMatch(/machine-to-machine/);
  });

  it('keys whose loss would change tokens are errors that say what Sluice uses instead', async () => {
    const yaml = config(`    access_token_claims: { tenant: acme }
    app_tag: [orders]
    pipe_id: after-login
`);
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([
      { ...positionOf(yaml, 'access_token_claims'), code: 'schema' },
      { ...positionOf(yaml, 'app_tag'), code: 'schema' },
      { ...positionOf(yaml, 'pipe_id: after'), code: 'schema' },
    ]);
    expect(errors[0]!.message).toMatch(/jwt_claims/);
    expect(errors[1]!.message).toMatch(/attributes/);
    expect(errors[2]!.message).toMatch(/client_credentials_pipe_id/);
  });

  it('every key in the table has advice, and none is a key Sluice takes', async () => {
    const { readFileSync } = await import('node:fs');
    const schema = JSON.parse(readFileSync(new URL('../../schemas/sluice.schema.json', import.meta.url), 'utf8')) as { definitions: { rp: { properties: Record<string, unknown> } } };
    for (const [key, { advice }] of Object.entries(FORTIFIEDID_RP_KEYS)) {
      expect(advice.length).toBeGreaterThan(10);
      expect(Object.keys(schema.definitions.rp.properties)).not.toContain(key);
    }
  });
});

// FortifiedID's documented discovery_meta (token-endpoint page and authorization-code page).
const DISCOVERY_META = `oidc:
  discovery_meta: {
    "grant_types_supported": [ "authorization_code", "refresh_token", "client_credentials" ],
    "token_endpoint_auth_methods_supported": [ "client_secret_basic", "client_secret_post", "none" ],
    "service_documentation": "https://docs.example.com" }
`;

describe("FortifiedID's discovery_meta", () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(config('', DISCOVERY_META), { env: ENV });
  });
  afterAll(() => s.close());

  it('is merged into both discovery documents, keeping only what the server supports', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const doc = (await (await fetch(s.url + path)).json()) as Record<string, unknown>;
      expect(doc.grant_types_supported).toEqual(['client_credentials']);
      // A narrowing is the operator's statement of what clients should use: kept.
      expect(doc.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
      expect(doc.service_documentation).toBe('https://docs.example.com');
      expect(doc.issuer).toBe('http://127.0.0.1:8080');
    }
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', ENV.SVC_SECRET) });
    expect(r.status).toBe(200);
    await verifyToken(s.url, r.body.access_token as string);
  });

  it('check warns at each value left out, and refuses a list that is not one', async () => {
    const yaml = config('', DISCOVERY_META);
    const { diagnostics } = await load(yaml, { env: ENV });
    const warnings = diagnostics.filter((d) => d.severity === 'warning' && /left out of discovery/.test(d.message));
    expect(warnings.map(({ line, col }) => ({ line, col }))).toEqual([positionOf(yaml, '"authorization_code"'), positionOf(yaml, '"refresh_token"')]);
    expect(warnings[0]!.message).toMatch(/machine-to-machine/);
    const bad = config('', 'oidc:\n  discovery_meta: { grant_types_supported: client_credentials }\n');
    const errors = (await load(bad, { env: ENV })).diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ ...positionOf(bad, 'client_credentials }'), code: 'schema' }]);
  });
});

// Attack (issue 13 review): a FortifiedID discovery_meta lists FortifiedID's own endpoints.
describe('discovery_meta cannot point callers at another server', () => {
  it('refuses, at the key, the endpoints the server computes (introspection, revocation, userinfo, as token_endpoint and jwks_uri)', async () => {
    const yaml = config('', `oidc:
  discovery_meta:
    introspection_endpoint: https://old-idp.example.com/introspect
    revocation_endpoint: https://old-idp.example.com/revoke
    userinfo_endpoint: https://old-idp.example.com/userinfo
`);
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual(
      ['introspection_endpoint', 'revocation_endpoint', 'userinfo_endpoint'].map((key) => ({ ...positionOf(yaml, key), code: 'schema' })),
    );
  });

  it('leaves out, with a warning at the key, endpoints and response types of flows the server lacks', async () => {
    const yaml = config('', `oidc:
  discovery_meta:
    authorization_endpoint: https://old-idp.example.com/authorize
    end_session_endpoint: https://old-idp.example.com/logout
    check_session_iframe: https://old-idp.example.com/session
    response_types_supported: [code]
    op_policy_uri: https://docs.example.com/policy
`);
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeDefined();
    const warnings = diagnostics.filter((d) => d.severity === 'warning' && /left out of discovery/.test(d.message));
    expect(warnings.map(({ line, col }) => ({ line, col }))).toEqual([
      positionOf(yaml, 'authorization_endpoint'), positionOf(yaml, 'end_session_endpoint'), positionOf(yaml, 'check_session_iframe'), positionOf(yaml, 'code]'),
    ]);
    const s = await serve(yaml, { env: ENV });
    try {
      const doc = (await (await fetch(s.url + '/.well-known/openid-configuration')).json()) as Record<string, unknown>;
      expect(Object.keys(doc)).not.toContain('authorization_endpoint');
      expect(Object.keys(doc)).not.toContain('end_session_endpoint');
      expect(Object.keys(doc)).not.toContain('check_session_iframe');
      expect(doc.response_types_supported).toEqual([]);
      expect(doc.op_policy_uri).toBe('https://docs.example.com/policy');
      expect(doc.introspection_endpoint).toBe(`${s.engine.issuer}/introspect`);
    } finally {
      await s.close();
    }
  });
});
