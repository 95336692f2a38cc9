/**
 * The discovery documents, checked for the members that standard libraries read. Only
 * what some client or validator relies on is asserted here; the rest is the server's
 * own tests' business.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveInterop, type Alg } from './helpers.js';

type Served = Awaited<ReturnType<typeof serveInterop>>;
const servers = new Map<Alg, Served>();

beforeAll(async () => {
  await Promise.all((['ES256', 'RS256'] as const).map(async (alg) => servers.set(alg, await serveInterop(alg))));
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()));
});

async function get(url: string) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

describe('discovery documents', () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    it(`${path}: JSON with issuer, token_endpoint and jwks_uri under the issuer (RFC 8414 §2, §3.3)`, async () => {
      const s = servers.get('ES256')!;
      const { status, type, body } = await get(s.url + path);
      expect(status).toBe(200);
      expect(type).toMatch(/^application\/json/);
      expect(body.issuer).toBe(s.issuer);
      expect(body.token_endpoint).toBe(`${s.issuer}/token`);
      expect(body.jwks_uri).toBe(`${s.issuer}/jwks`);
      expect(body.grant_types_supported).toEqual(['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange']);
      expect(body.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
      expect(body.scopes_supported).toEqual(['orders.read', 'orders.write']);
    });
  }

  // OpenID Connect Discovery 1.0 §3 makes subject_types_supported and
  // id_token_signing_alg_values_supported REQUIRED. Parsers that enforce it (Nimbus
  // OIDCProviderMetadata, used by Spring Security for `issuer-uri`) refuse the document
  // without them; express-oauth2-jwt-bearer reads id_token_signing_alg_values_supported
  // as the list of algs it accepts for access tokens, so it must hold the alg Sluice
  // signs with. SPEC.md also promises "signing algs" in discovery.
  for (const alg of ['ES256', 'RS256'] as const) {
    it(`${alg}: openid-configuration has the OIDC Discovery REQUIRED members, with the signing alg listed`, async () => {
      const s = servers.get(alg)!;
      const { body } = await get(`${s.url}/.well-known/openid-configuration`);
      expect(body.subject_types_supported).toEqual(expect.arrayContaining(['public']));
      expect(body.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining([alg]));
    });
  }
});
