/**
 * A used assertion id (jti) is kept for as long as the assertion is accepted (RFC 7523
 * section 3 item 7; OIDC Core section 9: "MUST only be used once"). The time checks
 * compare whole seconds (as jose did) while exp may be fractional (RFC 7519 section 2,
 * NumericDate): an assertion stays acceptable up to the next whole second past exp + skew,
 * so its jti must be remembered until then, or it can be replayed in the gap (attack review).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken, serve, type Running } from '../../helpers/sluice.js';
import { assertionForm } from './assertion-kit.js';

const SECRET = 'client-secret-jwt-secret-0123456789abcdef';
const clock = { now: 1_899_999_999.9 };
let server: Running;

beforeAll(async () => {
  server = await serve(`
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: hmac-client
    token_endpoint_auth_method: client_secret_jwt
    client_secret: "\${env.SECRET}"
    assertion_clock_skew: 60
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`, { env: { SECRET }, now: () => clock.now });
});
afterAll(() => server?.close());

describe('a jti is remembered while its assertion is accepted', () => {
  it('an assertion with a fractional exp, replayed in the last second it is accepted, is refused', async () => {
    // Accepted while the whole second of now is before exp + skew = 1_900_000_000.5, so until 1_900_000_001.
    const exp = 1_900_000_000.5 - 60;
    const signed = await new SignJWT({ iss: 'hmac-client', sub: 'hmac-client', aud: server.engine.issuer, jti: randomUUID(), iat: exp - 60, exp })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    clock.now = 1_899_999_999.9;
    expect((await postToken(server.url, assertionForm(signed))).status).toBe(200);
    clock.now = 1_900_000_000.95; // still accepted by the time checks
    const replay = await postToken(server.url, assertionForm(signed));
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
  });
});
