import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';

describe('TokenResponse', () => {
  let s: Running;
  let clock = 1_900_000_000;
  beforeAll(async () => {
    const config = BASIC_CONFIG.replace('      - name: TokenResponse', `      - name: TokenResponse
        config:
          fields: { issued_for: "\${client.client_id}", access_token: "must not win" }`).replace(
      'pipes:',
      `  - client_id: no-response
    client_secret: \${env.ORDERS_SECRET}
    client_credentials_pipe_id: silent
pipes:
  - id: silent
    valves:
      - name: PromisesToken
      - name: TokenResponse`,
    );
    // A pipe whose reader no valve writes is refused by check (test/engine/pipe-wiring.test.ts);
    // a plugin can still declare a dest and not write it.
    const liar = "export default { name: 'PromisesToken', writes: ['access_token'], create: () => async function promisesToken(flow, next) { await next(); } };";
    s = await serve(`plugins: [./liar.mjs]\n${config}`, { env: BASIC_ENV, now: () => clock, files: { 'liar.mjs': liar } });
  });
  afterAll(() => s.close());

  it('answers RFC 6749 §5.1: access_token, token_type, expires_in, scope; no-store', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials', scope: 'orders.write' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(r.body).toEqual({
      access_token: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'orders.write',
      issued_for: 'orders-service',
    });
  });

  it('is a server_error without internals when no token was issued under its name', async () => {
    clock += 1;
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('no-response', BASIC_ENV.ORDERS_SECRET) });
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('server_error');
    expect(String(r.body.error_description)).not.toContain('TokenResponse');
    const line = s.logs.lines.findLast((l) => l.event === 'token');
    expect(line).toMatchObject({ outcome: 'error', error: 'server_error', pipe: 'silent' });
    expect(JSON.stringify(line)).toContain("no token was issued under 'access_token'");
  });
});
