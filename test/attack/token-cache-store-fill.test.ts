/**
 * Attack review (issue 12), fixed: with `store: true`, TokenCache writes one store entry
 * per distinct request, and every request parameter is part of the key. One authenticated
 * client that adds a new junk parameter to each request fills the engine store (memory:
 * `capacity`, 100000 by default; Redis: maxmemory), which every pipe shares: then every
 * store write fails, and another client's RateLimit (or a private_key_jwt replay check,
 * or a revocation) answered 503. Now a client may add at most 100 entries per reuse period;
 * past that its tokens are issued but not cached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const S = 'store-fill-secret-0123456789';
const CONFIG = `
issuer: http://127.0.0.1:8080
store: { type: memory, capacity: 1000 }
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: filler, client_secret: "\${env.S}", client_credentials_pipe_id: cached }
  - { client_id: victim, client_secret: "\${env.S}", client_credentials_pipe_id: limited }
pipes:
  - id: cached
    valves:
      - name: TokenCache
        config: { store: true }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
  - id: limited
    valves:
      - name: RateLimit
        config: { limit: 100, window: 1m }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;

let s: Running;
beforeAll(async () => {
  s = await serve(CONFIG, { env: { S } });
});
afterAll(() => s.close());

describe('TokenCache store: true (attack review)', () => {
  it("one client's junk parameters do not make another client's requests fail", async () => {
    // The smallest capacity the config allows: ten at a time, one new junk value each.
    for (let batch = 0; batch < 100; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => postToken(s.url, { grant_type: 'client_credentials', junk: `${batch}-${i}` }, { authorization: basic('filler', S) })));
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    }
    const victim = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('victim', S) });
    expect(victim.status).toBe(200); // before the fix: 503 temporarily_unavailable, the store was full
  });
});
