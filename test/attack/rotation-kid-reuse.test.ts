/**
 * Attack review (issue 15): a rotation group records in the store when each key was first
 * published, by kid, for five years. An operator who names kids ("primary", "secondary")
 * and later puts a NEW key under a kid that was published once before got that old time:
 * the new key signed at once, though no cached /jwks held it, so resource servers could
 * not verify its tokens for up to max-age. The record is now the key's, not the kid's.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { keyDir, rotationConfig, serveRotating, type RotatingServer } from '../keystores/rotation/harness.js';

const MAX_AGE = 300;
let server: RotatingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a new key under a kid published before (attack review)', () => {
  it('waits its announce window like any new key; a /jwks cached before verifies its first tokens', async () => {
    const clock = { now: 1_900_000_000 };
    const dir = keyDir();
    const config = (port: number, keys: Parameters<typeof rotationConfig>[1]) => rotationConfig(port, keys, { maxAge: MAX_AGE, ttl: '600s' });
    server = await serveRotating(dir, (port) => config(port, { a: 'current', b: 'next' }), () => clock.now);
    const { port, url } = server;
    clock.now += 10 * 86400;
    await server.reload(config(port, { a: 'current' })); // b withdrawn before it ever signed
    clock.now += 10 * 86400;
    const cached = (await (await fetch(`${url}/jwks`)).json()) as JSONWebKeySet;
    // A new key file under the old kid 'b', made current in one step.
    writeFileSync(join(dir, 'b.pem'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    await server.reload(config(port, { a: 'previous', b: 'current' }));
    const token = await server.token();
    expect(decodeProtectedHeader(token).kid).toBe('a');
    await jwtVerify(token, createLocalJWKSet(cached), { currentDate: new Date(clock.now * 1000) });
  });
});
