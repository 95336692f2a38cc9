/** What check says about a managed keystore: errors at the key to fix, never echoing encryption_key. */
import { describe, expect, it } from 'vitest';
import { positionOf } from '../../helpers/positions.js';
import { load } from '../../helpers/sluice.js';
import { managedConfig, newEncryptionKey, SECRET } from './harness.js';

async function check(options: { key?: string; rotateEvery?: string; extra?: string }) {
  const yaml = managedConfig({ maxAge: 300, ttl: '10m', rotateEvery: options.rotateEvery ?? '30d', ...(options.extra ? { extra: options.extra } : {}) });
  const env: Record<string, string> = { SECRET, ...(options.key !== undefined ? { SLUICE_KEY_ENCRYPTION_KEY: options.key } : {}) };
  const { engine, diagnostics } = await load(yaml, { env });
  return { yaml, engine, errors: diagnostics.filter((d) => d.severity === 'error'), diagnostics };
}

describe('check of a managed keystore', () => {
  it.each([
    ['base64', newEncryptionKey()],
    ['hex', 'ab'.repeat(32)],
    ['base64url', Buffer.alloc(32, 0xfb).toString('base64url')],
  ])('accepts a 32-byte encryption_key in %s', async (_form, key) => {
    const { engine, errors } = await check({ key });
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });

  it.each([
    ['16 bytes', Buffer.alloc(16, 1).toString('base64')],
    ['not base64 nor hex', 'correct horse battery staple!'],
    ['63 hex digits', 'a'.repeat(63)],
  ])('refuses an encryption_key of %s, at encryption_key, without repeating it', async (_what, key) => {
    const { yaml, errors } = await check({ key });
    expect(errors).toEqual([expect.objectContaining({ code: 'keystore_invalid', ...positionOf(yaml, '${env.SLUICE_KEY_ENCRYPTION_KEY}') })]);
    expect(errors[0]!.message).not.toContain(key);
  });

  it('refuses a missing encryption_key (an empty env variable too)', async () => {
    const { errors } = await check({ key: '' });
    expect(errors).toEqual([expect.objectContaining({ code: 'keystore_invalid' })]);
  });

  it('refuses a rotate_every shorter than four announce windows', async () => {
    const { yaml, errors } = await check({ key: newEncryptionKey(), rotateEvery: '10m' });
    expect(errors).toEqual([expect.objectContaining({ code: 'keystore_invalid', ...positionOf(yaml, '10m', 1) })]);
  });

  it('refuses a key file, kid or state on a managed keystore, at the key', async () => {
    const { yaml, errors } = await check({ key: newEncryptionKey(), extra: '\n    path: key.pem\n    state: next' });
    expect(errors).toEqual([
      expect.objectContaining({ code: 'keystore_invalid', ...positionOf(yaml, 'path: key.pem') }),
      expect.objectContaining({ code: 'keystore_invalid', ...positionOf(yaml, 'state: next') }),
    ]);
  });

  it('refuses rotate_every on a keystore that is not managed', async () => {
    const yaml = managedConfig({ maxAge: 300, ttl: '10m', rotateEvery: '30d' }).replace('type: managed', 'type: generated').replace(/\n    encryption_key:.*/, '');
    const { diagnostics } = await load(yaml, { env: { SECRET } });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([expect.objectContaining({ code: 'keystore_invalid', ...positionOf(yaml, 'rotate_every') })]);
  });
});
