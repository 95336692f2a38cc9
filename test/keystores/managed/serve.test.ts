/**
 * `sluice serve` (the built binary) with a managed keystore whose keys in Redis were sealed
 * under another encryption_key: it exits 1 at start with a clear message and the code, and
 * neither its output nor its log holds key material.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, sluice } from '../../cli/cli.js';
import { RedisServer } from '../../helpers/redis.js';
import { tempDir } from '../../helpers/sluice.js';
import { loadManaged, managedConfig, newEncryptionKey, SECRET } from './harness.js';

let redis: RedisServer;
beforeAll(async () => {
  requireBuild();
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.stop();
});

describe('sluice serve with a managed keystore', () => {
  it('keys sealed under another encryption_key: exit 1, managed_key_unreadable, no key material', async () => {
    const yaml = managedConfig({ maxAge: 300, ttl: '10m', rotateEvery: '30d', store: 'store: { type: redis, url: "${env.REDIS_URL}", prefix: "serve-test:" }' });
    const env = { REDIS_URL: redis.url };
    const right = newEncryptionKey();
    const wrong = newEncryptionKey();
    const first = await loadManaged(yaml, { key: right, now: () => Math.floor(Date.now() / 1000), env });
    await first.engine.keysReady(); // an instance with the right key made the ring
    const sealed = (await first.engine.verifyContext.store.get('keys:managed:signing:slot:0'))!;
    await first.engine.verifyContext.store.close?.();

    const dir = tempDir({ 'sluice.yaml': yaml });
    const result = await sluice(['serve', '-c', 'sluice.yaml', '--port', '0'], { cwd: dir, env: { ...env, SECRET, SLUICE_KEY_ENCRYPTION_KEY: wrong }, timeoutMs: 15_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sluice: keystore 'signing': the managed key of slot 0 .* does not open with encryption_key/m);
    expect(result.stdout).toContain('managed_key_unreadable');
    const output = result.stdout + result.stderr;
    for (const secret of [right, wrong, (JSON.parse(sealed) as { key: string }).key]) expect(output).not.toContain(secret);
  });
});
