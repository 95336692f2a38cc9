/**
 * Attack review (issue 15): during a new current key's announce window the former key
 * keeps signing. A retire_at on that former key that falls inside the window (or is
 * already past) drops it from /jwks, so it must stop signing then too: a token signed by
 * a key /jwks no longer lists verifies nowhere.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { keyDir, rotationConfig, serveRotating, type KeyName, type RotatingServer } from '../keystores/rotation/harness.js';

const MAX_AGE = 300;

let server: RotatingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(keys: Partial<Record<KeyName, string>>) {
  const clock = { now: 1_900_000_000 };
  const config = (port: number, k: Partial<Record<KeyName, string>>) => rotationConfig(port, k, { maxAge: MAX_AGE, ttl: '600s' });
  server = await serveRotating(keyDir(), (port) => config(port, keys), () => clock.now);
  const running = server;
  return {
    clock,
    running,
    reload: (k: Partial<Record<KeyName, string>>) => running.reload(config(running.port, k)),
    /** A fresh token, verified against /jwks as served now; its kid. */
    async verifiedKid(): Promise<string> {
      const token = await running.token();
      const jwks = (await (await fetch(`${running.url}/jwks`)).json()) as JSONWebKeySet;
      await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: new Date(clock.now * 1000) });
      return String(decodeProtectedHeader(token).kid);
    },
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

describe('a former key retired by retire_at during the announce window (attack review)', () => {
  it('stops signing when it leaves /jwks, before the window ends', async () => {
    const { clock, reload, verifiedKid } = await start({ a: 'current', b: 'next' });
    await reload({ a: `previous, retire_at: '${iso(clock.now + 60)}'`, b: 'current' }); // b announced 0 s
    expect(await verifiedKid()).toBe('a');
    clock.now += 60;
    expect(await verifiedKid()).toBe('b');
  });

  it('never signs when its retire_at is already past', async () => {
    const { clock, reload, verifiedKid } = await start({ a: 'current', b: 'next' });
    await reload({ a: `previous, retire_at: '${iso(clock.now - 1)}'`, b: 'current' });
    expect(await verifiedKid()).toBe('b');
  });
});
