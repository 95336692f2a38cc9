/** pipes/m2m-jwt-limited.yaml, the fulfillmenttools default (2,000 logins per minute per tenant), copied into a config. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { basic, load, postToken, serve } from '../helpers/sluice.js';

const PIPE = readFileSync(new URL('../../pipes/m2m-jwt-limited.yaml', import.meta.url), 'utf8');
const S = 'limited-example-secret-0123456789';

/** The pipe file as an entry under `pipes:`, with `edit` applied to its text. */
function config(edit: (pipe: string) => string = (p) => p): string {
  const pipe = edit(PIPE).split('\n').filter((l) => !l.trimStart().startsWith('#') && l !== '').map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)).join('\n');
  return `issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: acme-1, client_secret: "\${env.S}", client_credentials_pipe_id: m2m-jwt-limited, attributes: { tenant: acme } }
  - { client_id: acme-2, client_secret: "\${env.S}", client_credentials_pipe_id: m2m-jwt-limited, attributes: { tenant: acme } }
  - { client_id: beta-1, client_secret: "\${env.S}", client_credentials_pipe_id: m2m-jwt-limited, attributes: { tenant: beta } }
pipes:
${pipe}
`;
}

describe('pipes/m2m-jwt-limited.yaml', () => {
  it('loads without errors or warnings beyond the generated key', async () => {
    const { engine, diagnostics } = await load(config(), { env: { S } });
    expect(engine).toBeDefined();
    expect(diagnostics.filter((d) => d.code !== 'keystore_invalid')).toEqual([]);
    expect(PIPE).toMatch(/limit: 2000\n\s+window: 1m\n\s+key: \$\{client\.attributes\.tenant\}/);
  });

  it('limits per tenant (shown with the limit lowered to 2)', async () => {
    const s = await serve(config((p) => p.replace('limit: 2000', 'limit: 2')), { env: { S } });
    try {
      const token = (client: string, scope?: string) => postToken(s.url, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basic(client, S) });
      const first = await token('acme-1');
      expect(first.status).toBe(200);
      expect((await token('acme-2')).status).toBe(200);
      const refused = await token('acme-1');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await token('beta-1')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
