/**
 * config/examples/external-idp.yaml through the built CLI, as an operator runs it:
 * `sluice check` passes with the three EXTERNAL_IDP_* variables set and fails at the line
 * of the one left unset; `sluice serve -c` exchanges a token of the local fake IdP
 * (fake-idp.ts) for ours, verified with jose against the served /jwks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, requireBuild, ROOT, serve, type Served } from '../cli/cli.js';
import { APPID, idpKey, startFakeIdp, type FakeIdp, type IdpKey } from './fake-idp.js';

const FILE = 'config/examples/external-idp.yaml';
const TEXT = readFileSync(join(ROOT, FILE), 'utf8');

/** 1-based line and column of the first occurrence of `needle` in the example. */
function positionOf(needle: string): { line: number; col: number } {
  const before = TEXT.slice(0, TEXT.indexOf(needle)).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

let idp: FakeIdp;
let key: IdpKey;
let server: Served | undefined;

beforeAll(async () => {
  requireBuild();
  key = await idpKey('cli-key-1');
  idp = await startFakeIdp([key]);
});
afterAll(async () => {
  server?.kill();
  await idp?.close();
});

describe('sluice check on the example', () => {
  it('passes with EXTERNAL_IDP_ISSUER, EXTERNAL_IDP_JWKS_URI and EXTERNAL_IDP_AUDIENCE set (the generated keystore only warns)', async () => {
    const { text, json, report } = await checkBoth(FILE, { env: idp.env });
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(json.code).toBe(0);
    expect(report.valid).toBe(true);
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(report.diagnostics.map((d) => d.message).join('\n')).toMatch(/generated/);
  });

  it('fails at the line of the variable left unset', async () => {
    const { EXTERNAL_IDP_JWKS_URI: _unset, ...env } = idp.env;
    const { text, report } = await checkBoth(FILE, { env });
    expect(text.code).toBe(1);
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    const at = positionOf('${env.EXTERNAL_IDP_JWKS_URI}');
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ ...at, code: 'missing_env' }]);
    expect(text.stdout).toContain(`${FILE}:${at.line}:${at.col}: error: `);
  });
});

describe('sluice serve -c on the example', () => {
  it('exchanges an IdP token for ours (JWT-bearer), verified against the served /jwks', async () => {
    server = await serve(FILE, { env: idp.env });
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: 'platform-exchange', assertion: await idp.token(key) }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    const { payload } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: APPID, roles: ['order-reader'], tenant: 'acme', client_id: 'platform-exchange' });
  });
});
