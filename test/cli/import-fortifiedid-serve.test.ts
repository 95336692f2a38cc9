/**
 * End to end: a FortifiedID config imported by `sluice import fortifiedid` passes `sluice
 * check` (only the expected warnings) and serves tokens that verify against /jwks. The
 * pipe is the documented one except that CreateJwt signs with the OIDC module's keystore
 * (`keystore: "oidc"`, which the importer carries into keystores:); the documented inline
 * keystore, imported unchanged, is the second describe.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { opensslP12 } from '../helpers/openssl-p12.js';
import { checkBoth, FIXTURES, removeTempDirs, requireBuild, ROOT, serve, sluice, trackedTempDir, type Served } from './cli.js';

const ISSUER = 'https://op.example.com';
const env = { SLUICE_ISSUER: ISSUER };

/** The fixtures, with the module keystore a real PKCS#12 (openssl, password "secret", alias "signing"). */
function inputs(dir: string): void {
  const oidc = readFileSync(join(FIXTURES, 'fortifiedid/oidc-module.json'), 'utf8').replace('"supersecret"', '"secret"').replace('"jwt"', '"signing"');
  const documented = /"keystore": \{ "path": "keystore\.p12", "password": "supersecret", "type": "PKCS12" \},\s*"keystore_password": "supersecret", "keystore_alias": "jwt" \}/;
  const pipes = readFileSync(join(FIXTURES, 'fortifiedid/pipes-module.json'), 'utf8');
  expect(pipes).toMatch(documented);
  writeFileSync(join(dir, 'oidc.json'), oidc);
  writeFileSync(join(dir, 'pipes.json'), pipes.replace(documented, '"keystore": "oidc" }'));
  copyFileSync(join(ROOT, 'test/keystores/fixtures/openssl-ec.p12'), join(dir, 'keystore.p12'));
}

let dir: string;
let server: Served | undefined;
beforeAll(() => {
  requireBuild();
  dir = trackedTempDir();
  inputs(dir);
});
afterAll(() => {
  server?.kill();
  removeTempDirs();
});

describe('sluice import fortifiedid, then check and serve', () => {
  it('the imported config passes check with only the expected warnings', async () => {
    const imported = await sluice(['import', 'fortifiedid', 'oidc.json', 'pipes.json', '-o', 'sluice.yaml'], { cwd: dir });
    expect(imported.code, imported.stderr).toBe(0);
    const { text, report } = await checkBoth('sluice.yaml', { cwd: dir, env });
    expect(text.code, text.stdout).toBe(0);
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // The secret in clear (import said so too), the constant aud and scope, and the pipe no RP uses.
    expect(report.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/client_secret is written in clear/),
      expect.stringMatching(/'aud' replaces the audiences/),
      expect.stringMatching(/'\$\{request\.scope\}' reads the granted scope or audience/),
      expect.stringMatching(/'scope' is the constant "read", not the granted scope/),
      expect.stringMatching(/pipe 'shared_checks' is used by no client/),
      expect.stringMatching(/pipe 'shared_checks' has no valve that answers/),
    ]);
  });

  it('serves a token from the documented pipe that verifies against /jwks', async () => {
    server = await serve('sluice.yaml', { cwd: dir, env });
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('svc:svc-secret-0123456789').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body) + server.stdout()).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' });
    const { payload, protectedHeader } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: ISSUER, typ: 'at+jwt' });
    expect(protectedHeader).toMatchObject({ test_header: 'test_header' });
    expect(payload).toMatchObject({ sub: 'svc', test_claim: 'test_claim', aud: ['https://api.example.com/'] });
  });

});

describe('sluice import fortifiedid: the documented pipe unchanged, with its inline keystore', () => {
  let inlineDir: string;
  let inlineServer: Served | undefined;
  afterAll(() => inlineServer?.kill());

  it('is imported as written, passes check, and its token verifies against /jwks', async () => {
    inlineDir = trackedTempDir();
    // The fixtures as they are: the documented pipe's keystore {path: keystore.p12, password
    // supersecret, type PKCS12}, alias jwt, here a fresh RSA key made by openssl.
    for (const name of ['oidc-module.json', 'pipes-module.json']) copyFileSync(join(FIXTURES, 'fortifiedid', name), join(inlineDir, name));
    writeFileSync(join(inlineDir, 'keystore.p12'), opensslP12('rsa', { alias: 'jwt', password: 'supersecret' }));
    const imported = await sluice(['import', 'fortifiedid', 'oidc-module.json', 'pipes-module.json', '-o', 'sluice.yaml'], { cwd: inlineDir });
    expect(imported.code, imported.stderr).toBe(0);
    const written = parseYaml(readFileSync(join(inlineDir, 'sluice.yaml'), 'utf8')) as { pipes: Array<{ id: string }> };
    const pipes = JSON.parse(readFileSync(join(inlineDir, 'pipes-module.json'), 'utf8')) as { config: { pipes: Array<{ id: string }> } };
    const documented = pipes.config.pipes.find((p) => p.id === 'client_credentials_pipe');
    expect(written.pipes.find((p) => p.id === 'client_credentials_pipe')).toEqual(documented);

    const { text, report } = await checkBoth('sluice.yaml', { cwd: inlineDir, env });
    expect(text.code, text.stdout).toBe(0);
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);

    inlineServer = await serve('sluice.yaml', { cwd: inlineDir, env });
    const response = await fetch(`${inlineServer.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('svc:svc-secret-0123456789').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' });
    const { payload, protectedHeader } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL(`${inlineServer.url}/jwks`)), { issuer: ISSUER, typ: 'at+jwt' });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', test_header: 'test_header' });
    expect(payload).toMatchObject({ sub: 'svc', test_claim: 'test_claim', aud: ['https://api.example.com/'] });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
  });
});
