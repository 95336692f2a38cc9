import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configError, FIXTURES, load, removeTempDirs, signAndVerify, tempFile, thumbprint } from './helpers.js';

afterAll(removeTempDirs);

async function privateJwk(alg: string, extra: JWK = {}): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { ...(await exportJWK(privateKey)), ...extra };
}

const publicOnly = (jwk: JWK): JWK => Object.fromEntries(Object.entries(jwk).filter(([k]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k)));

async function jwksFile(keys: unknown): Promise<{ dir: string; name: string }> {
  return tempFile('keys.json', JSON.stringify({ keys }));
}

describe('jwks keystore', () => {
  let ec: JWK;
  let rsa: JWK;
  let ed: JWK;
  let set: { dir: string; name: string };
  beforeAll(async () => {
    ec = await privateJwk('ES384', { kid: 'ec-1' });
    rsa = await privateJwk('RS256', { kid: 'rsa-1', alg: 'PS256' });
    ed = await privateJwk('EdDSA');
    // A public-only key and an encryption key first: the default must skip them.
    const enc = await privateJwk('ES256', { kid: 'enc-1', use: 'enc' });
    set = await jwksFile([publicOnly(await privateJwk('ES256', { kid: 'pub-1' })), enc, ec, rsa, ed]);
  });

  it('defaults to the first key with a private part and keeps its kid', async () => {
    const ks = await load({ type: 'jwks', path: set.name }, set.dir);
    expect(ks.kid).toBe('ec-1');
    expect(ks.alg).toBe('ES384');
    expect(ks.publicJwk).toEqual({ ...publicOnly(ec), kid: 'ec-1', use: 'sig' });
    await signAndVerify(ks);
  });

  it('alias selects by kid; the JWK alg is published and pins the key to it (RFC 7517 §4.4)', async () => {
    const ks = await load({ type: 'jwks', path: set.name, alias: 'rsa-1' }, set.dir);
    expect(ks.alg).toBe('PS256');
    expect(ks.algorithms).toEqual(['PS256']);
    expect(ks.publicJwk).toMatchObject({ kid: 'rsa-1', alg: 'PS256', use: 'sig' });
    await signAndVerify(ks);
    await expect(ks.sign({}, undefined, 'RS512')).rejects.toThrow(/cannot sign with RS512/);
  });

  it('without a kid in the JWK, kid is the RFC 7638 thumbprint; config kid and alg win', async () => {
    const f = await jwksFile([ed]);
    const ks = await load({ type: 'jwks', path: f.name }, f.dir);
    expect(ks.kid).toBe(thumbprint(ks.publicJwk));
    expect(ks.alg).toBe('EdDSA');
    await signAndVerify(ks);
    const over = await load({ type: 'jwks', path: set.name, alias: 'rsa-1', kid: 'mine', alg: 'RS384' }, set.dir);
    expect(over.publicJwk).toMatchObject({ kid: 'mine', alg: 'RS384' });
    await signAndVerify(over);
  });

  it('unknown kid → keystore_invalid at alias, listing kids', async () => {
    const err = await configError(load({ type: 'jwks', path: set.name, alias: 'nope' }, set.dir), 'keystore_invalid', ['alias']);
    expect(err.message).toContain("'pub-1', 'enc-1', 'ec-1', 'rsa-1', (no kid)");
  });

  it('a public-only or encryption key → keystore_invalid at alias', async () => {
    await configError(load({ type: 'jwks', path: set.name, alias: 'pub-1' }, set.dir), 'keystore_invalid', ['alias']);
    await configError(load({ type: 'jwks', path: set.name, alias: 'enc-1' }, set.dir), 'keystore_invalid', ['alias']);
  });

  it.each([
    ['not JSON', '{"keys": ['],
    ['not a set', '[{"kty":"EC"}]'],
    ['no private key', JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] })],
    ['a broken private key', JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' }] })],
    ['an unsupported JWK alg', JSON.stringify({ keys: [{ kty: 'OKP', d: 'x', alg: 'HS256' }] })],
  ])('%s → keystore_invalid at path', async (_, content) => {
    const f = await tempFile('keys.json', content);
    await configError(load({ type: 'jwks', path: f.name }, f.dir), 'keystore_invalid', ['path']);
  });

  it('a JWK alg that does not suit the key → keystore_invalid at path; a config alg → at alg', async () => {
    const f = await jwksFile([{ ...ec, alg: 'ES256' }]);
    await configError(load({ type: 'jwks', path: f.name }, f.dir), 'keystore_invalid', ['path']);
    await configError(load({ type: 'jwks', path: set.name, alg: 'ES256' }, set.dir), 'keystore_invalid', ['alg']);
  });

  it('weak RSA in a JWKS → keystore_invalid at path', async () => {
    const weak = createPrivateKey(await readFile(join(FIXTURES, 'rsa-1024.pem'))).export({ format: 'jwk' });
    const f = await jwksFile([weak]);
    await configError(load({ type: 'jwks', path: f.name }, f.dir), 'keystore_invalid', ['path']);
  });
});
