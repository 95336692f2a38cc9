/**
 * The remote key set over time (a test clock): cached for max-age within bounds, an
 * unknown kid refetches at most once per cooldown, a failed fetch is not retried within
 * the cooldown, and keys fetched before stay in use while a refresh fails.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteKeySet } from '../../../engine/jwks/remote.js';
import { rsaKeyPair } from '../client-auth/assertion-kit.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves `state.body` with `state.status`; counts requests. */
async function jwksHost(state: { status: number; body: unknown; maxAge?: number; fetches: number }): Promise<string> {
  server = createServer((_req, res) => {
    state.fetches += 1;
    res.writeHead(state.status, { 'content-type': 'application/json', ...(state.maxAge !== undefined ? { 'cache-control': `max-age=${state.maxAge}` } : {}) });
    res.end(JSON.stringify(state.body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
}

describe('RemoteKeySet', () => {
  it('refetches on an unknown kid at most once per cooldown', async () => {
    const a = await rsaKeyPair('a');
    const b = await rsaKeyPair('b');
    const state = { status: 200, body: { keys: [a.publicJwk] } as unknown, fetches: 0 };
    let clock = 1_000_000;
    const keys = new RemoteKeySet(await jwksHost(state), { now: () => clock });
    await expect(keys.getKey({ alg: 'RS256', kid: 'a' }, undefined as never)).resolves.toBeDefined();
    await expect(keys.getKey({ alg: 'RS256', kid: 'zz' }, undefined as never)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(state.fetches).toBe(2); // the first miss refetches at once
    state.body = { keys: [a.publicJwk, b.publicJwk] };
    clock += 10_000;
    await expect(keys.getKey({ alg: 'RS256', kid: 'b' }, undefined as never)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(state.fetches).toBe(2); // within 30 s of the last miss: no fetch
    clock += 21_000;
    await expect(keys.getKey({ alg: 'RS256', kid: 'b' }, undefined as never)).resolves.toBeDefined();
    expect(state.fetches).toBe(3);
  });

  it('caches for max-age bounded to 5 min .. 24 h, and keeps the old keys while a refresh fails', async () => {
    const a = await rsaKeyPair('a');
    const state = { status: 200, body: { keys: [a.publicJwk] } as unknown, maxAge: 5, fetches: 0 };
    let clock = 1_000_000;
    const keys = new RemoteKeySet(await jwksHost(state), { now: () => clock });
    await keys.getKey({ alg: 'RS256', kid: 'a' }, undefined as never);
    clock += 299_000; // max-age 5 s is raised to 5 min
    await keys.getKey({ alg: 'RS256', kid: 'a' }, undefined as never);
    expect(state.fetches).toBe(1);
    clock += 2_000;
    state.status = 500;
    await expect(keys.getKey({ alg: 'RS256', kid: 'a' }, undefined as never)).resolves.toBeDefined(); // stale beats none
    expect(state.fetches).toBe(2);
    await keys.getKey({ alg: 'RS256', kid: 'a' }, undefined as never);
    expect(state.fetches).toBe(2); // a failed fetch is not retried within the cooldown
  });

  it('with no keys yet, a failed fetch fails requests without a new fetch until the cooldown has passed', async () => {
    const state = { status: 503, body: {}, fetches: 0 };
    let clock = 1_000_000;
    const keys = new RemoteKeySet(await jwksHost(state), { now: () => clock });
    for (let i = 0; i < 3; i++) await expect(keys.getKey({ alg: 'RS256', kid: 'a' }, undefined as never)).rejects.toThrow(/503/);
    expect(state.fetches).toBe(1);
    clock += 30_000;
    await expect(keys.getKey({ alg: 'RS256', kid: 'a' }, undefined as never)).rejects.toThrow(/503/);
    expect(state.fetches).toBe(2);
  });
});
