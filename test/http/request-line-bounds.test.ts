/**
 * An error's description can quote what the caller sent (every scope it may not have): the
 * answer's body cuts it to 300 characters (engine/errors.ts), and the request
 * line must not grow with the caller's choice either, up to body_limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const S = 'bounds-secret-0123456789';
let s: Running;

beforeAll(async () => {
  s = await serve(`
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: svc, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: plain }
pipes:
  - id: plain
    valves: [{ name: ClientAuthenticate }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`, { env: { S } });
});
afterAll(() => s.close());

describe('the request line of a refusal that quotes the caller', () => {
  it('keeps at most 1000 characters of the description and says how long it was', async () => {
    const scope = Array.from({ length: 400 }, (_, i) => `not-yours-${String(i).padStart(4, '0')}`).join(' ');
    const r = await postToken(s.url, { grant_type: 'client_credentials', scope }, { authorization: basic('svc', S) });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_scope');
    expect(String(r.body.error_description).length).toBeLessThanOrEqual(300);
    const line = s.logs.lines.findLast((l) => l.event === 'token')!;
    expect(line).toMatchObject({ outcome: 'refused', error: 'invalid_scope' });
    const logged = String(line.error_description);
    expect(logged.startsWith('scope not allowed for this client: not-yours-0000 not-yours-0001')).toBe(true);
    expect(logged).toMatch(/\.\.\.\(\d+ chars\)$/);
    expect(logged.length).toBeLessThan(1100);
  });

  it('keeps a short description whole', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials', scope: 'b' }, { authorization: basic('svc', S) });
    expect(r.status).toBe(400);
    const line = s.logs.lines.findLast((l) => l.event === 'token')!;
    expect(line.error_description).toBe('scope not allowed for this client: b');
  });
});
