/**
 * `${request.scope}` is FortifiedID's: the GRANTED scope as space-separated text. Without a
 * ScopeCheck nothing is granted, so the caller's requested scope never reaches a token
 * through it; what was asked for is `${request.requested_scope}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };

describe('${request.scope} in a pipe without ScopeCheck', () => {
  let s: Running;
  beforeAll(async () => {
    const yaml = BASIC_CONFIG.replace('      - name: ScopeCheck\n', '').replace(
      /          jwt_claims:\n(?:            .*\n)+/,
      '          jwt_claims:\n            scope: ${request.scope}\n            said: "asked for ${request.scope}"\n',
    );
    s = await serve(yaml, { env: BASIC_ENV });
  });
  afterAll(() => s.close());

  it('never carries what the caller asked for', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials', scope: 'admin everything orders.read' }, auth);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.engine.issuer });
    expect(JSON.stringify(payload)).not.toContain('admin');
    expect(payload.said).toBe('asked for ');
  });
});
