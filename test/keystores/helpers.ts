import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, jwtVerify, type JWK, type JWTVerifyResult } from 'jose';
import { expect } from 'vitest';
import { ConfigError, type ConfigErrorCode, type ConfigPath } from '../../engine/errors.js';
import { loadKeystore } from '../../engine/keystores/load.js';
import type { Keystore, KeystoreConfig, SigningAlg } from '../../engine/keystores/types.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** loadKeystore with id 'ks' and the fixtures directory as baseDir. */
export function load(config: Omit<KeystoreConfig, 'id'>, baseDir = FIXTURES): Promise<Keystore> {
  return loadKeystore({ id: 'ks', ...config }, { baseDir });
}

/** Asserts that `promise` rejects with a ConfigError of this code and path; returns it. */
export async function configError(promise: Promise<unknown>, code: ConfigErrorCode, path: ConfigPath): Promise<ConfigError> {
  const err: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  const error = err as ConfigError;
  expect({ code: error.code, path: error.path }).toEqual({ code, path });
  return error;
}

/** Signs with `alg` and verifies with jose against the published JWK alone. */
export async function signAndVerify(ks: Keystore, alg?: SigningAlg): Promise<JWTVerifyResult> {
  const expected = alg ?? ks.alg;
  const jws = await ks.sign({ sub: 'client-1', iat: 1700000000 }, { typ: 'at+jwt' }, alg);
  const key = await importJWK(ks.publicJwk, expected);
  const result = await jwtVerify(jws, key, { algorithms: [expected], currentDate: new Date(1700000000_000) });
  expect(result.protectedHeader).toEqual({ alg: expected, kid: ks.kid, typ: 'at+jwt' });
  expect(result.payload).toEqual({ sub: 'client-1', iat: 1700000000 });
  return result;
}

/** RFC 7638 §3, computed here without jose: required members, sorted, no whitespace, SHA-256. */
export function thumbprint(jwk: JWK): string {
  const required: Record<string, string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] };
  const members = required[jwk.kty ?? ''];
  if (members === undefined) throw new Error(`no thumbprint members for kty ${jwk.kty}`);
  const json = `{${members.map((m) => `"${m}":${JSON.stringify((jwk as Record<string, unknown>)[m])}`).join(',')}}`;
  return createHash('sha256').update(json).digest('base64url');
}

const dirs: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-keystores-'));
  dirs.push(dir);
  return dir;
}

/** For afterAll: removes the temp dirs this test file made. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes `content` into a fresh temp dir; returns the dir and file name. */
export async function tempFile(name: string, content: string | Buffer): Promise<{ dir: string; name: string }> {
  const dir = await tempDir();
  await writeFile(join(dir, name), content);
  return { dir, name };
}
