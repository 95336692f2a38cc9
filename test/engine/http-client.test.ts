/**
 * The engine's HTTP client as a plugin sees it (EngineServices.http): a redirect is an
 * answer, not followed; a body over the limit and a silent server are errors with codes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { basic, postToken, serve } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { upstream, type Upstream } from '../valves/http-upstream.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

/** A plugin valve that fetches `${path}` and signs what it got: a status or an error code. */
const PLUGIN = `
export default {
  name: 'Probe',
  configSchema: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
  create(config, engine) {
    return async function probe(flow, next) {
      try {
        const r = await engine.http.request(config.url, { timeoutMs: 1000, maxBytes: 64 });
        flow.claims.probe = String(r.status) + ' ' + r.body.toString('utf8');
      } catch (error) {
        flow.claims.probe = error.name + ' ' + error.code;
      }
      await next();
    };
  },
};`;

const CONFIG = (url: string) => `
plugins: [./probe.mjs]
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - { name: Probe, config: { url: "${url}" } }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
`;

let up: Upstream | undefined;
afterEach(async () => {
  await up?.close();
  up = undefined;
});

async function probe(path: string): Promise<unknown> {
  const s = await serve(CONFIG(`${up!.origin}${path}`), { env: ENV, files: { 'probe.mjs': PLUGIN } });
  try {
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', ENV.SVC_SECRET) });
    return (await verifyToken(s.url, String(r.body.access_token))).payload.probe;
  } finally {
    await s.close();
  }
}

describe('EngineServices.http', () => {
  it('gives a plugin a redirect as an answer, never following it', async () => {
    up = await upstream((seen, res) => (seen.target === '/moved' ? res.writeHead(301, { location: '/there' }).end('gone') : res.end('followed')));
    expect(await probe('/moved')).toBe('301 gone');
    expect(up.seen.map((s) => s.target)).toEqual(['/moved']);
  });

  it('throws HttpClientError too_large past maxBytes, and timeout for a server that never answers', async () => {
    up = await upstream((seen, res) => (seen.target === '/big' ? res.end('x'.repeat(65)) : undefined));
    expect(await probe('/big')).toBe('HttpClientError too_large');
    expect(await probe('/silent')).toBe('HttpClientError timeout');
  });
});
