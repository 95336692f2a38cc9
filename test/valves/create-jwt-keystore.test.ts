/**
 * `sluice check` (the built CLI) on CreateJwt's inline keystore gone wrong: each mistake is
 * one error, exit 1, at the config key to fix (FILE:LINE:COL), and the password is never
 * printed. And on the documented pipe: no error, and the warnings issue 13 names. One
 * error case and the passing pipe run the binary; the others load in-process through what
 * the command calls (test/cli/in-process.ts): the same diagnostics, no process start-up each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, expectErrors, removeTempDirs, requireBuild, trackedTempDir } from '../cli/cli.js';
import { checkInProcess } from '../cli/in-process.js';
import { documentedConfig } from '../fortifiedid/documented-pipe.js';
import { opensslP12 } from '../helpers/openssl-p12.js';
import { positionOf } from '../helpers/positions.js';

const ENV = { M2M_SECRET: 'm2m-secret-0123456789abcdef' };
let p12: Buffer;

beforeAll(() => {
  requireBuild();
  p12 = opensslP12('rsa');
});
afterAll(removeTempDirs);

/** `yaml` as config.yaml beside keystore.p12 (and `files`); returns its path. */
function write(yaml: string, files: Record<string, string | Buffer> = {}): string {
  const dir = trackedTempDir();
  for (const [name, content] of Object.entries({ 'keystore.p12': p12, ...files })) writeFileSync(join(dir, name), content);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** The documented pipe with its keystore keys (keystore, keystore_password, keystore_alias) replaced by `keystore`. */
function withKeystore(keystore: string): string {
  const yaml = documentedConfig();
  const inline = /"keystore": \{[^}]*\},\s*"keystore_password": "supersecret", "keystore_alias": "jwt"/;
  expect(yaml).toMatch(inline);
  return yaml.replace(inline, keystore);
}

describe('sluice check: inline keystore errors at the key to fix', () => {
  it.each([
    {
      name: 'a wrong password, at keystore.password',
      keystore: '"keystore": { "path": "keystore.p12", "password": "not-the-password", "type": "PKCS12" }, "keystore_alias": "jwt"',
      at: '"not-the-password"', code: 'keystore_password', secret: 'not-the-password', spawned: true,
    },
    {
      name: 'a wrong keystore_password given alone, at keystore_password',
      keystore: '"keystore": { "path": "keystore.p12", "type": "PKCS12" }, "keystore_password": "wrong-key-pass"',
      at: '"wrong-key-pass"', code: 'keystore_password', secret: 'wrong-key-pass',
    },
    {
      name: 'keystore_password that differs from keystore.password, at keystore_password',
      keystore: '"keystore": { "path": "keystore.p12", "password": "supersecret", "type": "PKCS12" }, "keystore_password": "other-pass"',
      at: '"other-pass"', code: 'keystore_password', secret: 'other-pass',
    },
    {
      name: 'no key under keystore_alias, at keystore_alias',
      keystore: '"keystore": { "path": "keystore.p12", "password": "supersecret", "type": "PKCS12" }, "keystore_alias": "signing"',
      at: '"signing"', code: 'keystore_invalid', message: /alias 'signing'.*available: 'jwt'/,
    },
    {
      name: 'a missing file, at keystore.path',
      keystore: '"keystore": { "path": "missing.p12", "password": "supersecret", "type": "PKCS12" }',
      at: '"missing.p12"', code: 'file_unreadable',
    },
    {
      name: 'a file that is no PKCS#12, at keystore.path',
      keystore: '"keystore": { "path": "garbage.p12", "password": "supersecret", "type": "PKCS12" }',
      at: '"garbage.p12"', code: 'keystore_invalid',
    },
    {
      name: 'a file over the key-file size bound, at keystore.path',
      keystore: '"keystore": { "path": "huge.p12", "password": "supersecret", "type": "PKCS12" }',
      at: '"huge.p12"', code: 'file_unreadable',
    },
    {
      name: 'a JKS keystore, at keystore.type, saying how to convert it',
      keystore: '"keystore": { "path": "keystore.jks", "password": "supersecret", "type": "JKS" }',
      at: '"JKS"', code: 'keystore_invalid', message: /keytool -importkeystore .*-deststoretype PKCS12/,
    },
    {
      name: 'a type Sluice does not know, at keystore.type',
      keystore: '"keystore": { "path": "keystore.p12", "password": "supersecret", "type": "PKCS11" }',
      at: '"PKCS11"', code: 'keystore_invalid',
    },
    {
      name: 'a per-request value as the password, at keystore.password',
      keystore: '"keystore": { "path": "keystore.p12", "password": "${request.params.pw}", "type": "PKCS12" }',
      at: '"${request.params.pw}"', code: 'valve_config',
    },
    {
      name: 'keystore_alias beside a keystore id, at keystore_alias',
      keystore: '"keystore": "signing", "keystore_alias": "jwt"',
      at: '"keystore_alias"', code: 'valve_config', extra: 'keystores:\n  - { id: signing, type: pkcs12, path: keystore.p12, password: supersecret }\n',
    },
  ] as Array<{ name: string; keystore: string; at: string; code: string; message?: RegExp; secret?: string; extra?: string; spawned?: true }>)('$name', async ({ keystore, at, code, message, secret, extra, spawned }) => {
    const yaml = withKeystore(keystore) + (extra ?? '');
    const file = write(yaml, { 'garbage.p12': 'not a PKCS#12 file\n', 'huge.p12': Buffer.alloc(1024 * 1024 + 1, 0x30), 'keystore.jks': p12 });
    const result = await (spawned ? checkBoth : checkInProcess)(file, { env: ENV });
    expectErrors(file, result, [{ ...positionOf(yaml, at), code, ...(message ? { message } : {}) }]);
    const output = result.text.stdout + result.text.stderr + result.json.stdout;
    if (secret) expect(output).not.toContain(secret);
    expect(output).not.toContain('supersecret');
  });

  it('an unset ${env.…} password is one error, at keystore.password', async () => {
    const yaml = withKeystore('"keystore": { "path": "keystore.p12", "password": "${env.P12_PASSWORD}", "type": "PKCS12" }');
    const file = write(yaml);
    expectErrors(file, await checkInProcess(file, { env: ENV }), [{ ...positionOf(yaml, '"${env.P12_PASSWORD}"'), code: 'missing_env' }]);
  });

  it('a disabled CreateJwt with a JKS keystore is still an error (its config is checked)', async () => {
    const yaml = withKeystore('"keystore": { "path": "keystore.jks", "password": "supersecret", "type": "jks" }')
      .replace('{ "name": "CreateJwt", "enabled": true', '{ "name": "CreateJwt", "enabled": false');
    const file = write(yaml);
    const result = await checkInProcess(file, { env: ENV });
    const errors = result.report.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toContainEqual(expect.objectContaining({ ...positionOf(yaml, '"jks"'), code: 'keystore_invalid' }));
  });
});

describe('sluice check on the documented pipe', () => {
  it('passes (exit 0) and warns at iss (not the issuer), aud (replaced), the scope claim no ScopeCheck fills, and the constant scope "read"', async () => {
    const yaml = documentedConfig();
    const file = write(yaml);
    const { text, report } = await checkBoth(file, { env: ENV });
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(report.diagnostics.map(({ line, col, severity }) => ({ line, col, severity }))).toEqual([
      { ...positionOf(yaml, '"iss"'), severity: 'warning' },
      { ...positionOf(yaml, '"aud"'), severity: 'warning' },
      { ...positionOf(yaml, '"${request.scope}"'), severity: 'warning' },
      { ...positionOf(yaml, '"read"'), severity: 'warning' },
    ]);
    expect(report.diagnostics[0]!.message).toContain('https://op.example.com');
  });

  it('warns at an expires_in that disagrees with jwt_ttl, with both numbers', async () => {
    const yaml = documentedConfig().replace('"expires_in": 3600', '"expires_in": 7200');
    const file = write(yaml);
    const { text, report } = await checkInProcess(file, { env: ENV });
    expect(text.code).toBe(0);
    const warning = report.diagnostics.find((d) => d.line === positionOf(yaml, '7200').line && d.col === positionOf(yaml, '7200').col);
    expect(warning).toMatchObject({ severity: 'warning' });
    expect(warning!.message).toMatch(/7200.*60.*3600/);
  });
});
