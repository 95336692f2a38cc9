/**
 * Attack review (issue 12): TokenCache's ignore_params is for correlation ids. Naming a
 * parameter that shapes the token there makes the cache hand a token made for one request
 * to another: a longer lifetime than at_lifetime asked for, another scope or audience.
 * `sluice check` refuses it.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const S = 'token-cache-ignore-secret-0123456789';
const config = (ignored: string) => `
issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: c, client_secret: "\${env.S}", scopes: [a, b], client_credentials_pipe_id: p }
pipes:
  - id: p
    valves:
      - name: TokenCache
        config: { ignore_params: [${ignored}] }
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing, allow_at_lifetime: true }
      - name: TokenResponse
`;

describe('TokenCache ignore_params (attack review)', () => {
  for (const param of ['at_lifetime', 'scope', 'audience', 'resource', 'grant_type']) {
    it(`refuses ignore_params naming '${param}', which shapes the token, at its place in the list`, async () => {
      const yaml = config(`client-request-id, ${param}`);
      const { diagnostics, engine } = await load(yaml, { env: { S } });
      expect(engine).toBeUndefined();
      const at = positionOf(yaml, `${param}]`);
      expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ line: at.line, col: at.col });
    });
  }

  it('still loads with a correlation id ignored', async () => {
    const { diagnostics, engine } = await load(config('client-request-id'), { env: { S } });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });
});
