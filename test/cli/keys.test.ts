/**
 * `sluice keys generate --alg ALG --out FILE [--password-env NAME]`: the files it writes
 * load in a config (test/cli/fixtures/keys.yaml, `sluice check` exit 0), and it never
 * overwrites a file.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, expectErrors, fixtureDir, removeTempDirs, requireBuild, sluice, type RunResult } from './cli.js';

let dir: string;
const P12_PASSWORD = 'p12-pässword';
const ENV = { ALPHA_SECRET: 'alpha-secret-0123456789', P12_PASSWORD };

const KEYS = [
  { alg: 'ES256', out: 'keys/es256.pem' },
  { alg: 'RS256', out: 'keys/rs256.pem' },
  { alg: 'EdDSA', out: 'keys/eddsa.pem' },
  { alg: 'ES256', out: 'keys/signing.p12', passwordEnv: 'P12_PASSWORD' },
] as const;
const generated = new Map<string, RunResult>();

beforeAll(async () => {
  requireBuild();
  dir = fixtureDir();
  mkdirSync(join(dir, 'keys'));
  await Promise.all(
    KEYS.map(async (k) => {
      const args = ['keys', 'generate', '--alg', k.alg, '--out', k.out];
      if ('passwordEnv' in k) args.push('--password-env', k.passwordEnv);
      generated.set(k.out, await sluice(args, { cwd: dir, env: ENV }));
    }),
  );
});
afterAll(removeTempDirs);

describe.concurrent('sluice keys generate', () => {
  for (const k of KEYS) {
    it(`${k.alg} → ${k.out}: exit 0, a private file`, () => {
      const result = generated.get(k.out)!;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('wrote ');
      const file = join(dir, k.out);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      if (k.out.endsWith('.pem')) expect(readFileSync(file, 'latin1')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      // The printed snippet names the file and, for PKCS#12, the password variable.
      expect(result.stdout).toMatch(new RegExp(`path: /\\S*/${k.out.replace(/[.]/g, "\\.")}`)); // whole, so it works from any config
      if ('passwordEnv' in k) expect(result.stdout).toContain(`password: \${env.${k.passwordEnv}}`);
    });
  }

  it('the generated files load in a config: check exits 0', async () => {
    const { text, json, report } = await checkBoth('keys.yaml', { cwd: dir, env: ENV });
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(json.code).toBe(0);
    expect(report).toMatchObject({ valid: true, diagnostics: [] });
  });

  it('a wrong PKCS#12 password is an error at the password node', async () => {
    const result = await checkBoth('keys.yaml', { cwd: dir, env: { ...ENV, P12_PASSWORD: 'wrong' } });
    expectErrors('keys.yaml', result, [{ line: 15, col: 15, code: 'keystore_password' }]);
  });

  it('refuses to overwrite an existing file (PEM and PKCS#12), leaving it intact', async () => {
    const before = readFileSync(join(dir, 'keys/es256.pem'));
    const beforeP12 = readFileSync(join(dir, 'keys/signing.p12'));
    const [pem, p12] = await Promise.all([
      sluice(['keys', 'generate', '--alg', 'RS256', '--out', 'keys/es256.pem'], { cwd: dir }),
      sluice(['keys', 'generate', '--alg', 'ES256', '--out', 'keys/signing.p12', '--password-env', 'P12_PASSWORD'], { cwd: dir, env: ENV }),
    ]);
    for (const result of [pem, p12]) {
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stderr).toMatch(/exists/);
    }
    expect(readFileSync(join(dir, 'keys/es256.pem'))).toEqual(before);
    expect(readFileSync(join(dir, 'keys/signing.p12'))).toEqual(beforeP12);
  });

  it('an --out in a directory that does not exist: exit 1, the directory named, nothing written', async () => {
    const result = await sluice(['keys', 'generate', '--alg', 'ES256', '--out', 'no-such-dir/signing.pem'], { cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^sluice: \S*no-such-dir: no such directory; create it first/);
    expect(() => statSync(join(dir, 'no-such-dir'))).toThrow();
  });

  it('usage errors exit 2 and write nothing: no password for .p12, unset --password-env, bad --alg, no --out', async () => {
    const results = await Promise.all([
      sluice(['keys', 'generate', '--alg', 'ES256', '--out', 'nopass.p12'], { cwd: dir }),
      sluice(['keys', 'generate', '--alg', 'ES256', '--out', 'unset.pem', '--password-env', 'NOT_SET'], { cwd: dir }),
      sluice(['keys', 'generate', '--alg', 'HS256', '--out', 'hs.pem'], { cwd: dir }),
      sluice(['keys', 'generate', '--alg', 'ES256'], { cwd: dir }),
      sluice(['keys', 'rotate'], { cwd: dir }),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^sluice: /);
    }
    for (const file of ['nopass.p12', 'unset.pem', 'hs.pem']) expect(() => statSync(join(dir, file))).toThrow();
  });
});
