/**
 * jwt_ttl is bounded (issue 9, item 9): at most one year, as minutes or as a duration
 * string, so that `exp` stays an integer a verifier can read (1e300 minutes used to give
 * exp in exponent notation).
 */
import { describe, expect, it } from 'vitest';
import { basic, load, postToken, serve } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';
import { MAX_DURATION_SECONDS, parseDuration } from '../../engine/duration.js';
import { ConfigError } from '../../engine/errors.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

const config = (ttl: string) => `
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - name: CreateJwt
        config: { keystore: signing, jwt_ttl: ${ttl} }
      - name: TokenResponse
`;

describe('CreateJwt jwt_ttl bound', () => {
  it.each(['1e300', '525601', '366d', '8761h', '99999999999999999999999d', '"31536001s"'])('refuses %s at the jwt_ttl value', async (ttl) => {
    const yaml = config(ttl);
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject(positionOf(yaml, ttl));
    expect(['schema', 'valve_config']).toContain(errors[0]!.code);
  });

  it.each(['525600', '365d', '8760h', '1'])('accepts %s', async (ttl) => {
    const { engine, diagnostics } = await load(config(ttl), { env: ENV });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });

  it('keeps exp and expires_in integers for a fractional number of minutes', async () => {
    const s = await serve(config('0.51'), { env: ENV }); // 30.6 s
    try {
      const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', ENV.SVC_SECRET) });
      expect(r.status).toBe(200);
      expect(Number.isInteger(r.body.expires_in)).toBe(true);
      const { payload } = await verifyToken(s.url, String(r.body.access_token));
      expect(Number.isSafeInteger(payload.exp)).toBe(true);
      expect(payload.exp! - payload.iat!).toBe(31);
    } finally {
      await s.close();
    }
  });

  it('a year is the most any duration may say', () => {
    expect(MAX_DURATION_SECONDS).toBe(365 * 86400);
    expect(parseDuration('365d', 'm')).toBe(MAX_DURATION_SECONDS);
    for (const value of ['366d', 525601, 1e300, Number.POSITIVE_INFINITY, '9'.repeat(400) + 's']) {
      expect(() => parseDuration(value, 'm')).toThrow(ConfigError);
    }
  });
});
