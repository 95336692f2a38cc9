/**
 * `check` warnings about keys (issue 15): a key that signs but is not published, and a
 * certificate beside a key that has expired or expires within 30 days. Warnings only: the
 * config still loads. The clock is the engine's (`now`), so the dates are chosen, not waited for.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../engine/diagnostics.js';
import { positionOf } from '../helpers/positions.js';
import { load } from '../helpers/sluice.js';
import { certifiedKey, P12_PASSWORD } from './certified-key.js';
import { keystoresConfig } from './keystores-config.js';

const DAY = 86_400;
const ENV = { SVC_SECRET: 'svc-secret-0123456789', P12_PASSWORD };

const config = (keystores: string, createJwt = '{ keystore: a }') => keystoresConfig(keystores, { createJwt });

async function warnings(yaml: string, options: { files?: Record<string, string | Buffer>; now?: number } = {}) {
  const { engine, diagnostics } = await load(yaml, { env: ENV, files: options.files ?? {}, ...(options.now ? { now: () => options.now! } : {}) });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(engine).toBeDefined();
  return diagnostics.filter((d) => d.severity === 'warning' && d.code !== 'keystore_invalid'); // generated keys warn too
}

const at = (yaml: string, needle: string, code: string, occurrence = 1): Partial<Diagnostic> => ({ code: code as Diagnostic['code'], ...positionOf(yaml, needle, occurrence) });

describe('a signing key that is not published', () => {
  it('warns at its publish: false, naming the pipe', async () => {
    const yaml = config('- { id: a, type: generated, publish: false }');
    const found = await warnings(yaml);
    expect(found).toEqual([expect.objectContaining(at(yaml, 'false', 'keystore_unpublished'))]);
    expect(found[0]!.message).toMatch(/'p'/);
  });

  it('says nothing of an unpublished key no pipe signs with', async () => {
    const yaml = config('- { id: a, type: generated }\n- { id: spare, type: generated, publish: false }');
    expect(await warnings(yaml)).toEqual([]);
  });

  it('says nothing of a published signing key', async () => {
    expect(await warnings(config('- { id: a, type: generated, publish: true }'))).toEqual([]);
  });

  it('warns once for a key several pipes sign with', async () => {
    const yaml = config('- { id: a, type: generated, publish: false }').replace('pipes:\n', `pipes:
  - id: q
    valves:
      - { name: CreateJwt, config: { keystore: a } }
      - name: TokenResponse
`);
    const found = (await warnings(yaml)).filter((d) => d.code !== 'unknown_pipe'); // q is called by no client
    expect(found.map((d) => d.code)).toEqual(['keystore_unpublished']);
    expect(found[0]!.message).toMatch(/'q', 'p'|'p', 'q'/);
  });
});

describe('a certificate that expires', () => {
  const key = certifiedKey(365);
  const files = { 'keys/signing.pem': key.pem, 'keys/signing.p12': key.p12, 'keys/signing.json': key.jwks };
  const forms = [
    ['PEM with a certificate', '- { id: a, type: pem, path: keys/signing.pem }', 'keys/signing.pem'],
    ['PKCS#12', '- { id: a, type: pkcs12, path: keys/signing.p12, password: "${env.P12_PASSWORD}" }', 'keys/signing.p12'],
    ['JWKS with x5c', '- { id: a, type: jwks, path: keys/signing.json }', 'keys/signing.json'],
  ] as const;

  for (const [form, keystore, path] of forms) {
    it(`${form}: warns at the key file within 30 days of notAfter, with the date`, async () => {
      const yaml = config(keystore);
      const found = await warnings(yaml, { files, now: key.notAfter - 10 * DAY });
      expect(found).toEqual([expect.objectContaining(at(yaml, path, 'certificate_expiring'))]);
      expect(found[0]!.message).toContain(new Date(key.notAfter * 1000).toISOString().slice(0, 10));
      expect(found[0]!.message).toMatch(/CN=signing/);
      expect(found[0]!.message).not.toContain(P12_PASSWORD);
    });
  }

  it('says when it has already expired', async () => {
    const yaml = config(forms[0][1]);
    const found = await warnings(yaml, { files, now: key.notAfter + DAY });
    expect(found).toEqual([expect.objectContaining(at(yaml, 'keys/signing.pem', 'certificate_expiring'))]);
    expect(found[0]!.message).toMatch(/expired/);
  });

  it('says nothing while more than 30 days remain', async () => {
    for (const [, keystore] of forms) expect(await warnings(config(keystore), { files, now: key.notAfter - 31 * DAY })).toEqual([]);
  });

  it('warns at the valve for an inline PKCS#12 keystore', async () => {
    const yaml = config('- { id: b, type: generated }', '{ keystore: { path: keys/signing.p12, password: "${env.P12_PASSWORD}", type: PKCS12 } }');
    const found = await warnings(yaml, { files, now: key.notAfter - DAY });
    expect(found).toEqual([expect.objectContaining(at(yaml, 'keys/signing.p12', 'certificate_expiring'))]);
  });

  it('ignores an x5c that is not a certificate (the key still loads)', async () => {
    const jwks = JSON.parse(key.jwks) as { keys: Array<Record<string, unknown>> };
    jwks.keys[0]!.x5c = ['not base64 DER!', 42, { a: 1 }];
    const yaml = config(forms[2][1]);
    expect(await warnings(yaml, { files: { 'keys/signing.json': JSON.stringify(jwks) }, now: key.notAfter - DAY })).toEqual([]);
  });
});
