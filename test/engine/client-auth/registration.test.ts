/**
 * What `sluice check` (every load) says about key-based client registrations, at the
 * YAML line of the problem.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../../helpers/sluice.js';
import { positionOf } from '../../helpers/positions.js';
import { days, rsaKeyPair, selfSignedCertificate } from './assertion-kit.js';

function config(rp: string): string {
  return `
keystores:
  - id: signing
    type: generated
rps:
${rp}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
}

async function diagnosticsOf(yaml: string, files: Record<string, string> = {}) {
  const result = await load(yaml, { env: { SECRET: 'a'.repeat(40) }, files });
  return { ...result, found: result.diagnostics.filter((d) => !d.message.includes('is generated at start')).map((d) => ({ severity: d.severity, code: d.code, line: d.line, col: d.col, message: d.message })) };
}

describe('check: key-based client registrations', () => {
  it('refuses a jwks_uri that is not https outside loopback, at its line', async () => {
    const yaml = config('  - client_id: remote\n    token_endpoint_auth_method: private_key_jwt\n    jwks_uri: http://keys.example.com/jwks.json');
    const { engine, found } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(found).toEqual([expect.objectContaining({ severity: 'error', code: 'schema', ...pos(yaml, 'http://keys.example.com') })]);
    expect(found[0]!.message).toMatch(/https/);
  });

  it('accepts http on loopback and https anywhere', async () => {
    for (const uri of ['http://127.0.0.1:9999/jwks.json', 'http://localhost/jwks', 'http://[::1]:8080/jwks', 'https://keys.example.com/jwks.json']) {
      const { engine, found } = await diagnosticsOf(config(`  - client_id: remote\n    token_endpoint_auth_method: private_key_jwt\n    jwks_uri: "${uri}"`));
      expect(found.filter((d) => d.severity === 'error'), uri).toEqual([]);
      expect(engine).toBeDefined();
    }
  });

  it('refuses client_secret_jwt with only a client_secret_hash', async () => {
    const yaml = config('  - client_id: legacy\n    token_endpoint_auth_method: client_secret_jwt\n    client_secret_hash: "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"');
    const { engine, found } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(found).toEqual([expect.objectContaining({ severity: 'error', code: 'schema', ...pos(yaml, 'client_id: legacy') })]);
    expect(found[0]!.message).toMatch(/client_secret_jwt/);
  });

  it('refuses client_secret_jwt with a secret too short for HS256', async () => {
    const { engine } = await diagnosticsOf(config('  - client_id: legacy\n    token_endpoint_auth_method: client_secret_jwt\n    client_secret: ${env.SHORT}').replace('${env.SHORT}', 'short-secret-0123'));
    expect(engine).toBeUndefined();
  });

  it('refuses private_key_jwt without jwks, jwks_uri or certificates', async () => {
    const yaml = config('  - client_id: keyless\n    token_endpoint_auth_method: private_key_jwt');
    const { engine, found } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(found).toEqual([expect.objectContaining({ severity: 'error', code: 'schema', ...pos(yaml, 'client_id: keyless') })]);
  });

  it('refuses inline keys that cannot verify: a private key, an HMAC key, a short RSA key', async () => {
    const pair = await rsaKeyPair('k');
    const small = await rsaKeyPair('small', 1024);
    const privateJwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' };
    const yaml = config(`  - client_id: keyed\n    token_endpoint_auth_method: private_key_jwt\n    jwks: ${JSON.stringify({ keys: [pair.publicJwk, privateJwk, { kty: 'oct', k: 'c2VjcmV0' }, small.publicJwk] })}`);
    const { engine, found } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(found.map((d) => [d.severity, d.code])).toEqual([['error', 'keystore_invalid'], ['error', 'keystore_invalid'], ['error', 'keystore_invalid']]);
  });

  it('warns 30 days before a certificate expires, and errors on one that does not parse', async () => {
    const soon = selfSignedCertificate('soon', days(-300), days(10));
    const fine = selfSignedCertificate('fine', days(-1), days(300));
    const yaml = config('  - client_id: billing\n    token_endpoint_auth_method: private_key_jwt\n    certificates:\n      - "${file.soon.crt}"\n      - "${file.fine.crt}"');
    const { engine, found } = await diagnosticsOf(yaml, { 'soon.crt': soon.pem, 'fine.crt': fine.pem });
    expect(engine).toBeDefined();
    expect(found).toEqual([expect.objectContaining({ severity: 'warning', code: 'keystore_invalid', ...pos(yaml, '"${file.soon.crt}"') })]);
    expect(found[0]!.message).toMatch(/expires/);

    const broken = config('  - client_id: billing\n    token_endpoint_auth_method: private_key_jwt\n    certificates: ["-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----"]');
    const bad = await diagnosticsOf(broken);
    expect(bad.engine).toBeUndefined();
    expect(bad.found).toEqual([expect.objectContaining({ severity: 'error', code: 'keystore_invalid', ...pos(broken, '"-----BEGIN') })]);
  });
});

function pos(yaml: string, needle: string): { line: number; col: number } {
  return positionOf(yaml, needle);
}
