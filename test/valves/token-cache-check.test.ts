/** What `sluice check` says about TokenCache's place in its pipe, at FILE:LINE:COL. */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const S = 'token-cache-check-secret-0123456789';
const config = (valves: string) => `
issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: c, client_secret: "\${env.S}", client_credentials_pipe_id: p }
pipes:
  - id: p
    valves:
${valves}
`;

async function diagnose(yaml: string) {
  const { diagnostics, engine } = await load(yaml, { env: { S } });
  return { diagnostics, loads: engine !== undefined };
}

describe('TokenCache: sluice check', () => {
  it('refuses TokenCache after the valve that issues, at the TokenCache entry', async () => {
    const yaml = config(`      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenCache
        config: { reuse_until: 0.5 }
      - name: TokenResponse`);
    const { diagnostics, loads } = await diagnose(yaml);
    expect(loads).toBe(false);
    const at = positionOf(yaml, '{ reuse_until: 0.5 }');
    const error = diagnostics.find((d) => d.severity === 'error');
    expect(error).toMatchObject({ line: at.line, col: at.col });
    expect(error?.message).toMatch(/before 'CreateJwt'/);
  });

  it('warns when no valve after it issues a token', async () => {
    const yaml = config(`      - name: TokenCache
        config: { reuse_until: 0.5 }
      - name: TokenResponse
        config: { token: elsewhere }`);
    const { diagnostics } = await diagnose(yaml);
    const at = positionOf(yaml, '{ reuse_until: 0.5 }');
    expect(diagnostics.find((d) => d.severity === 'warning' && d.line === at.line)?.message).toMatch(/nothing to reuse/);
  });

  it('may not stand before ClientAuthenticate', async () => {
    const yaml = config(`      - name: TokenCache
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse`);
    const { diagnostics, loads } = await diagnose(yaml);
    expect(loads).toBe(false);
    const at = positionOf(yaml, 'TokenCache');
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ line: at.line, col: at.col });
  });

  it('loads cleanly in its place, and refuses reuse_until outside (0, 1]', async () => {
    const good = config(`      - name: TokenCache
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse`);
    const { diagnostics, loads } = await diagnose(good);
    expect(loads).toBe(true);
    expect(diagnostics.filter((d) => /TokenCache|reuse/.test(d.message))).toEqual([]);
    for (const bad of ['0', '1.5', '-1', 'half']) {
      const yaml = config(`      - name: TokenCache
        config: { reuse_until: ${bad} }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse`);
      const result = await diagnose(yaml);
      expect(result.loads, bad).toBe(false);
      expect(result.diagnostics.find((d) => d.severity === 'error')).toMatchObject({ line: positionOf(yaml, `reuse_until: ${bad}`).line });
    }
  });
});
