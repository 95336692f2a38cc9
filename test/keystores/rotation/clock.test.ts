/**
 * Rotation windows on an injected clock: which key signs and which keys /jwks lists, at
 * each moment, with the times recorded in the store. Tokens are verified with jose against
 * the /jwks served at the moment they were issued.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { WINDOW_MARGIN } from '../../../engine/keystores/rotation.js';
import { keyDir, publishedKids, rotationConfig, serveRotating, type KeyName, type RotatingServer } from './harness.js';

const MAX_AGE = 300;
const TTL_SECONDS = 600;

let server: RotatingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server on a clock the test moves; `keys` as rotationConfig takes them. */
async function start(keys: Partial<Record<KeyName, string>>) {
  const clock = { now: 1_900_000_000 };
  const dir = keyDir();
  const config = (port: number, k: Partial<Record<KeyName, string>>) => rotationConfig(port, k, { maxAge: MAX_AGE, ttl: `${TTL_SECONDS}s` });
  server = await serveRotating(dir, (port) => config(port, keys), () => clock.now);
  const running = server;
  return {
    clock,
    running,
    reload: (k: Partial<Record<KeyName, string>>) => running.reload(config(running.port, k)),
    /** The kid of a fresh token, verified against /jwks as served now. */
    async signingKid(): Promise<string> {
      const token = await running.token();
      const jwks = (await (await fetch(`${running.url}/jwks`)).json()) as JSONWebKeySet;
      await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: new Date(clock.now * 1000) });
      return String(decodeProtectedHeader(token).kid);
    },
  };
}

describe('rotation windows', () => {
  it('a next key is published and never signs', async () => {
    const { signingKid, running } = await start({ a: 'current', b: 'next' });
    expect(await publishedKids(running.url)).toEqual(['a', 'b']);
    expect(await signingKid()).toBe('a');
  });

  it('a key made current before it was announced for max-age: the former key signs until then', async () => {
    const { clock, reload, signingKid, running } = await start({ a: 'current', b: 'next' });
    clock.now += 10; // b has been published 10 s, max-age is 300
    await reload({ a: 'previous', b: 'current' });
    expect(await signingKid()).toBe('a');
    expect(running.logs.lines).toContainEqual(expect.objectContaining({ event: 'key_announce_wait', keystore: 'signing', kid: 'b', former_kid: 'a' }));
    clock.now += MAX_AGE + WINDOW_MARGIN - 10;
    expect(await signingKid()).toBe('b');
    expect(await publishedKids(running.url)).toEqual(['a', 'b']);
  });

  it('a key announced long enough signs at once after the reload', async () => {
    const { clock, reload, signingKid, running } = await start({ a: 'current', b: 'next' });
    clock.now += MAX_AGE + WINDOW_MARGIN;
    await reload({ a: 'previous', b: 'current' });
    expect(await signingKid()).toBe('b');
    expect(running.logs.lines.filter((l) => l.event === 'key_announce_wait')).toEqual([]);
  });

  it('a previous key is published until its tokens have expired (lifetime + max-age), then dropped', async () => {
    const { clock, reload, running } = await start({ a: 'current', b: 'next' });
    clock.now += MAX_AGE + WINDOW_MARGIN;
    await reload({ a: 'previous', b: 'current' });
    const before = await fetch(`${running.url}/jwks`);
    clock.now += TTL_SECONDS + MAX_AGE + WINDOW_MARGIN - 1;
    expect(await publishedKids(running.url)).toEqual(['a', 'b']);
    clock.now += 1;
    const after = await fetch(`${running.url}/jwks`);
    expect(((await after.json()) as JSONWebKeySet).keys.map((k) => k.kid)).toEqual(['b']);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  it('a former key that signed during the announce window is kept from then on, not from its demotion', async () => {
    const { clock, reload, signingKid, running } = await start({ a: 'current', b: 'next' });
    await reload({ a: 'previous', b: 'current' }); // b announced 0 s: a signs for max-age more
    expect(await signingKid()).toBe('a');
    clock.now += MAX_AGE + WINDOW_MARGIN + TTL_SECONDS + MAX_AGE + WINDOW_MARGIN - 1;
    expect(await publishedKids(running.url)).toEqual(['a', 'b']);
    clock.now += 1;
    expect(await publishedKids(running.url)).toEqual(['b']);
  });

  it('the times outlive a reload: a second reload does not restart a window', async () => {
    const { clock, reload, signingKid } = await start({ a: 'current', b: 'next' });
    clock.now += 100;
    await reload({ a: 'previous', b: 'current' });
    clock.now += MAX_AGE + WINDOW_MARGIN - 100;
    await reload({ a: 'previous', b: 'current' });
    expect(await signingKid()).toBe('b');
  });

  it('a first start with a current key and no former one signs at once', async () => {
    const { signingKid, running } = await start({ b: 'current', c: 'next' });
    expect(await signingKid()).toBe('b');
    expect(running.logs.lines.filter((l) => l.event === 'key_announce_wait')).toEqual([]);
  });

  it('retire_at overrides the computed time', async () => {
    const { clock, reload, running } = await start({ a: 'current', b: 'next' });
    const retireAt = new Date((clock.now + 60) * 1000).toISOString();
    await reload({ a: `previous, retire_at: '${retireAt}'`, b: 'current' });
    expect(await publishedKids(running.url)).toEqual(['a', 'b']);
    clock.now += 60;
    expect(await publishedKids(running.url)).toEqual(['b']);
  });

  it('introspection knows tokens of every key of the group', async () => {
    const { clock, reload, running } = await start({ a: 'current', b: 'next' });
    const byA = await running.token();
    clock.now += MAX_AGE + WINDOW_MARGIN;
    await reload({ a: 'previous', b: 'current' });
    const byB = await running.token();
    expect([decodeProtectedHeader(byA).kid, decodeProtectedHeader(byB).kid]).toEqual(['a', 'b']);
    for (const token of [byA, byB]) {
      const answer = await fetch(`${running.url}/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('api-client:rotation-secret-0123456789').toString('base64')}` },
        body: new URLSearchParams({ token }),
      });
      expect(await answer.json()).toMatchObject({ active: true });
    }
  });
});
