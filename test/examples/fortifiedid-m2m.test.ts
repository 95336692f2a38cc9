/**
 * config/examples/fortifiedid-m2m.yaml as an operator runs it, through the built CLI: its
 * pipe is FortifiedID's documented one (only keystore.path differs), `sluice check` passes
 * with the warnings its header names, and `sluice serve -c` answers the documented token
 * response with a token, signed by the committed openssl PKCS#12, that verifies against /jwks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, requireBuild, ROOT, serve, type Served } from '../cli/cli.js';
import { DOCUMENTED_PIPE } from '../fortifiedid/documented-pipe.js';
import { positionOf } from '../helpers/positions.js';

const FILE = 'config/examples/fortifiedid-m2m.yaml';
const TEXT = readFileSync(join(ROOT, FILE), 'utf8');
const SECRET = /"client_id": "m2m-client", "client_secret": "([^"$]+)"/.exec(TEXT)![1]!;

let served: Served | undefined;
beforeAll(() => requireBuild());
afterAll(() => served?.kill());

describe('the FortifiedID M2M example', () => {
  it("holds the documented pipe unchanged but for keystore.path, and publishes the client secret it uses in its header", () => {
    const example = (parse(TEXT) as { pipes: unknown[] }).pipes[0];
    const documented = JSON.parse(DOCUMENTED_PIPE.replace('"keystore.p12"', '"fortifiedid-keystore.p12"')) as unknown;
    expect(example).toEqual(documented);
    expect(TEXT).toContain(`-u m2m-client:${SECRET}`);
  });

  it('passes sluice check with only the warnings its header explains (clear client_secret, aud, the scope claim no ScopeCheck fills, constant scope)', async () => {
    const { text, report } = await checkBoth(FILE);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(report.diagnostics.map(({ line, col, severity }) => ({ line, col, severity }))).toEqual([
      { ...positionOf(TEXT, `"${SECRET}"`), severity: 'warning' },
      { ...positionOf(TEXT, '"aud"'), severity: 'warning' },
      { ...positionOf(TEXT, '"${request.scope}" }'), severity: 'warning' },
      { ...positionOf(TEXT, '"read" }'), severity: 'warning' },
    ]);
  });

  it('serves the documented token response; the token verifies against /jwks', async () => {
    served = await serve(FILE);
    const response = await fetch(`${served.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`m2m-client:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'read' });
    const { payload, protectedHeader } = await jwtVerify(body.access_token as string, createRemoteJWKSet(new URL(`${served.url}/jwks`)), {
      typ: 'at+jwt', issuer: 'https://op.example.com', audience: 'https://api.example.com/',
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', test_header: 'test_header' });
    expect(payload).toMatchObject({ sub: 'm2m-client', test_claim: 'test_claim' });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(served.stdout() + served.stderr()).not.toContain('supersecret');
  });
});
