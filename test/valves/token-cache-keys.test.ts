/**
 * TokenCache and the signing keys (issue 14 made a hit cheap: the token's signature is
 * verified once, when it is kept; a hit checks expiry, revocation and whether its key is
 * still one a resource server can get). A token is never handed out after its key left
 * /jwks (a rotated-out key retired; a reload dropped the key or gave its kid to another
 * key), nor on a store entry that is damaged or names the wrong store records. Every
 * token answered verifies with jose against /jwks as served at that moment.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../engine/store/types.js';
import { basic } from '../helpers/sluice.js';
import { postForm } from '../endpoints/helpers.js';
import { keyDir, publishedKids, SECRET, serveRotating, type RotatingServer } from '../keystores/rotation/harness.js';

const MAX_AGE = 300;

/** Keystore `signing` from `keys` (kid → key file and state), a TokenCache before CreateJwt. */
function config(port: number, keys: ReadonlyArray<{ kid: string; file: string; state: string }>, cache = '{}'): string {
  return `
issuer: http://127.0.0.1:${port}
server: { jwks_max_age: ${MAX_AGE} }
keystores:
${keys.map((k) => `  - { id: signing, type: pem, path: ${k.file}, kid: ${k.kid}, state: ${k.state} }`).join('\n')}
rps:
  - { client_id: api-client, client_secret: "\${env.SECRET}", scopes: [read], client_credentials_pipe_id: m2m }
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: TokenCache
        config: ${cache}
      - name: CreateJwt
        config: { keystore: signing, jwt_ttl: 600s }
      - name: TokenResponse
`;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

let server: RotatingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(keys: Parameters<typeof config>[1], cache?: string) {
  const clock = { now: 1_900_000_000 };
  server = await serveRotating(keyDir(), (port) => config(port, keys, cache), () => clock.now);
  const running = server;
  return {
    clock,
    running,
    reload: (k: Parameters<typeof config>[1]) => running.reload(config(running.port, k, cache)),
    /** A token as answered now, verified against /jwks as served now; with its kid. */
    async verified(): Promise<{ token: string; kid: string }> {
      const token = await running.token();
      const jwks = (await (await fetch(`${running.url}/jwks`)).json()) as JSONWebKeySet;
      await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: new Date(clock.now * 1000) });
      return { token, kid: String(decodeProtectedHeader(token).kid) };
    },
  };
}

describe('TokenCache and key rotation', () => {
  it('a token of a key that retires from /jwks is not handed out again: a fresh one, by the current key', async () => {
    const clock0 = 1_900_000_000;
    const { clock, running, verified } = await start([
      { kid: 'a', file: 'a.pem', state: `previous, retire_at: '${iso(clock0 + 60)}'` },
      { kid: 'b', file: 'b.pem', state: 'current' },
    ]);
    const first = await verified(); // b was announced 0 s ago: the former key a signs
    expect(first.kid).toBe('a');
    clock.now += 59;
    expect((await verified()).token).toBe(first.token);
    clock.now += 1; // a retires: /jwks lists b only
    expect(await publishedKids(running.url)).toEqual(['b']);
    const fresh = await verified();
    expect(fresh.token).not.toBe(first.token);
    expect(fresh.kid).toBe('b');
    expect((await verified()).token).toBe(fresh.token);
  });

  it('store: true (entries outlive a reload): reused while the key stays, not once its kid names another key or it is gone', async () => {
    const { reload, verified } = await start([{ kid: 'a', file: 'a.pem', state: 'current' }], '{ store: true }');
    const first = await verified();
    await reload([{ kid: 'a', file: 'a.pem', state: 'current' }]);
    expect((await verified()).token).toBe(first.token);

    await reload([{ kid: 'a', file: 'c.pem', state: 'current' }]); // kid a is now another key
    const second = await verified();
    expect(second.token).not.toBe(first.token);
    expect(second.kid).toBe('a');
    expect((await verified()).token).toBe(second.token);

    await reload([{ kid: 'b', file: 'b.pem', state: 'current' }]); // a is gone
    const third = await verified();
    expect(third.kid).toBe('b');
    expect((await verified()).token).toBe(third.token);
  });
});

describe('TokenCache store entries read back (store: true)', () => {
  /** The server's store, with the names of the TokenCache entries written to it. */
  function watchedStore(running: RotatingServer): { store: Store; cacheKeys: Set<string> } {
    const store = running.holder.current.verifyContext.store;
    const cacheKeys = new Set<string>();
    const set = store.set.bind(store);
    store.set = (key, value, ttl) => {
      if (key.startsWith('tokencache:')) cacheKeys.add(key);
      return set(key, value, ttl);
    };
    return { store, cacheKeys };
  }

  it('a damaged entry, or one whose record names the wrong store entries, is a miss: a fresh token, never a 500', async () => {
    const { running, verified } = await start([{ kid: 'a', file: 'a.pem', state: 'current' }], '{ store: true }');
    const { store, cacheKeys } = watchedStore(running);
    const first = await verified();
    expect(cacheKeys.size).toBe(1);
    const [key] = [...cacheKeys];
    const entry = JSON.parse((await store.get(key!))!) as Record<string, unknown>;
    const record = entry.active as Record<string, unknown>;
    expect(record.kind).toBe('jwt');
    // Revoked: its deny-list entry is now there, so a record pointing at it as if it were an
    // opaque token's entry (present = active) must not pass.
    expect((await postForm(running.url, '/revoke', { token: first.token }, { authorization: basic('api-client', SECRET) })).status).toBe(200);
    const damaged: unknown[] = [
      '{not json',
      'null',
      JSON.stringify({ ...entry, active: null }),
      JSON.stringify({ ...entry, active: { ...record, kind: 'opaque', entry: record.revocation } }),
      JSON.stringify({ ...entry, active: { ...record, exp: 'never' } }),
      JSON.stringify({ ...entry, active: { ...record, revocation: 42 } }),
      JSON.stringify({ ...entry, active: { ...record, kind: 'other' } }),
      JSON.stringify({ ...entry, response: ['not', 'an', 'object'] }),
    ];
    for (const text of damaged) {
      await store.set(key!, String(text), 600);
      const answer = await verified();
      expect(answer.token).not.toBe(first.token);
    }
  });
});
