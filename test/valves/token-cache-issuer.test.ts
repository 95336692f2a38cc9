/**
 * TokenCache with store: true keeps its answers across a reload. A hit no longer verifies
 * the cached token (issue 14), so the record it keeps must still say everything a full
 * check would: a reload that moves the server to another issuer (the same keys, a new
 * `issuer:`) must not hand out a token that names the old one (attack review).
 */
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { keyDir, serveRotating, type RotatingServer } from '../keystores/rotation/harness.js';

function config(issuer: string): string {
  return `
issuer: ${issuer}
keystores:
  - { id: signing, type: pem, path: a.pem, kid: a }
rps:
  - { client_id: api-client, client_secret: "\${env.SECRET}", scopes: [read], client_credentials_pipe_id: m2m }
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: TokenCache
        config: { store: true }
      - name: CreateJwt
        config: { keystore: signing, jwt_ttl: 600s }
      - name: TokenResponse
`;
}

let server: RotatingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('TokenCache across a change of issuer', () => {
  it('store: true: after a reload to another issuer, the token answered names the new issuer', async () => {
    const clock = { now: 1_900_000_000 };
    const running = (server = await serveRotating(keyDir(), (port) => config(`http://127.0.0.1:${port}`), () => clock.now));
    const oldIssuer = running.url;
    const first = await running.token();
    expect(decodeJwt(first).iss).toBe(oldIssuer);
    expect(await running.token()).toBe(first); // a hit before the reload

    const newIssuer = `https://auth.example.com/tenant-${running.port}`;
    await running.reload(config(newIssuer));
    const after = await running.token();
    const jwks = (await (await fetch(`${running.url}/jwks`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(after, createLocalJWKSet(jwks), { currentDate: new Date(clock.now * 1000) });
    expect(payload.iss).toBe(newIssuer);
    expect(after).not.toBe(first);
  });
});
