/**
 * Attack review (issue 15): metrics.path on the main server may not be a path an endpoint
 * is served at. check refused the PATHS endpoints but not the probes (/healthz, /readyz)
 * nor the RFC 8414 section 3 path-inserted metadata URL, so such a config passed check and
 * then `sluice serve` died at start ("Method 'GET' already declared for route").
 */
import { describe, expect, it } from 'vitest';
import { load, serve } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const S = 'metrics-path-secret-0123456789';
const config = (path: string) => `
issuer: http://127.0.0.1:8080/platform
keystores: [{ id: signing, type: generated, alg: ES256 }]
metrics: { path: ${path} }
rps:
  - { client_id: c, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: p }
pipes:
  - { id: p, valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
`;

describe('metrics.path colliding with a served path (attack review)', () => {
  for (const path of ['/platform/healthz', '/platform/readyz', '/.well-known/oauth-authorization-server/platform']) {
    it(`refuses ${path} at metrics.path`, async () => {
      const yaml = config(path);
      const { diagnostics, engine } = await load(yaml, { env: { S } });
      expect(engine).toBeUndefined();
      const at = positionOf(yaml, path);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([expect.objectContaining({ code: 'schema', line: at.line, col: at.col })]);
    });
  }

  it('serves a path of its own beside the probes', async () => {
    const server = await serve(config('/healthz'), { env: { S } });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/platform/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
