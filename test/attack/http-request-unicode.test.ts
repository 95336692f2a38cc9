/**
 * Attack review (issue 12): HttpRequest percent-encodes the values it puts into a URL.
 * encodeURIComponent throws on a lone surrogate, which JSON (an upstream's answer, `\ud800`)
 * can carry into the flow: the call must be refused and answered as on_error says, never
 * as a 500.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { upstream, type Upstream } from '../valves/http-upstream.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };
const AUTH = { authorization: basic('svc', ENV.SVC_SECRET) };

const config = (origin: string, onError: string) => `
keystores: [{ id: signing, type: generated }]
rps:
  - { client_id: svc, client_secret: "\${env.SVC_SECRET}", client_credentials_pipe_id: p }
pipes:
  - id: p
    valves:
      - name: HttpRequest
        config: { dest: user, url: "${origin}/users/\${client.client_id}" }
      - name: HttpRequest
        config: { dest: group, url: "${origin}/groups/\${state.user.body.group}?q=\${state.user.body.group}", on_error: ${onError} }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;

let up: Upstream | undefined;
let sluice: Running | undefined;
afterEach(async () => {
  await sluice?.close();
  await up?.close();
  sluice = up = undefined;
});

describe('HttpRequest: a value that cannot be percent-encoded (attack review)', () => {
  it.each([
    ['temporarily_unavailable', 503, 'temporarily_unavailable'],
    ['invalid_request', 400, 'invalid_request'],
  ])('with on_error %s answers %i, never server_error, and does not make the call', async (onError, status, error) => {
    up = await upstream((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"group":"admins\\ud800"}'); // JSON's escape for a lone surrogate
    });
    sluice = await serve(config(up.origin, onError), { env: ENV });
    const r = await postToken(sluice.url, { grant_type: 'client_credentials' }, AUTH);
    expect(r).toMatchObject({ status, body: { error } });
    expect(up.seen.map((s) => s.target)).toEqual(['/users/svc']);
  });

  it('with on_error continue goes on without the answer', async () => {
    up = await upstream((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"group":"\\udfff"}');
    });
    sluice = await serve(config(up.origin, 'continue'), { env: ENV });
    const r = await postToken(sluice.url, { grant_type: 'client_credentials' }, AUTH);
    expect(r.status).toBe(200);
  });
});
