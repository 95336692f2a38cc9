/**
 * Attack review (issue 12), not fixed: CreateJwt and ClaimsSet refuse an identity claim
 * (sub, aud, client_id, scope …) taken from what the caller sends, but trust `${state.…}`,
 * `${item.…}` and `${claims.…}` as the pipe's own data. A StateSet or ClaimsSet that copies a
 * request parameter there launders it: `sluice check` only warns at the copy, and the token
 * says whatever the caller sent. The fix needs the check context to say which state and
 * claim names earlier valves fill from the request (engine/pipe-wiring.ts).
 */
import { describe, expect, it } from 'vitest';
import { basic, load, postToken, serve } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const S = 'laundering-secret-0123456789';
const yaml = `
issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: c, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: p }
pipes:
  - id: p
    valves:
      - name: StateSet
        config: { values: { who: "\${request.params.user}" } }
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { sub: "\${state.who}" } }
      - name: TokenResponse
`;

describe('identity claims laundered through state (attack review)', () => {
  it.fails('a token never says the sub the caller sent (today it does: the config serves)', async () => {
    const s = await serve(yaml, { env: { S } });
    try {
      const r = await postToken(s.url, { grant_type: 'client_credentials', user: 'admin' }, { authorization: basic('c', S) });
      expect(r.status).toBe(200);
      expect((await verifyToken(s.url, String(r.body.access_token))).payload.sub).not.toBe('admin');
    } finally {
      await s.close();
    }
  });

  it.fails('check refuses sub from a state value a StateSet copied from the request', async () => {
    const { engine } = await load(yaml, { env: { S } });
    expect(engine).toBeUndefined();
  });
});
