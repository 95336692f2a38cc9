/**
 * TokenCache: the same request gets the same token back, counted down, while it has more
 * than reuse_until of its lifetime ahead; never another client's token, nor one for another
 * scope or audience; never a revoked one. Tokens are checked as a resource server would:
 * jose against the served /jwks, and introspection for opaque ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { introspect, postForm, RESOURCE_SERVER, TestClock } from '../endpoints/helpers.js';

const S = 'token-cache-secret-0123456789';
const rp = (id: string, pipe: string) => `  - { client_id: ${id}, client_secret: "\${env.S}", scopes: [a, b], audiences: [https://one.example, https://two.example], client_credentials_pipe_id: ${pipe} }`;
const cached = (pipe: string, cacheConfig: string, issue = 'CreateJwt\n        config: { keystore: signing, jwt_ttl: 60 }') => `
  - id: ${pipe}
    valves:
      - name: ScopeCheck
      - name: TokenCache${cacheConfig ? `\n        config: ${cacheConfig}` : ''}
      - name: ${issue}
      - name: TokenResponse`;

const CONFIG = `
issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
${rp('alpha', 'jwt')}
${rp('beta', 'jwt')}
${rp('opaque-client', 'opaque')}
${rp('small-1', 'small')}
${rp('small-2', 'small')}
${rp('stored', 'stored')}
${rp('msal', 'msal')}
  - { client_id: ${RESOURCE_SERVER.id}, client_secret: "${RESOURCE_SERVER.secret}", introspection: true }
pipes:${cached('jwt', '')}${cached('opaque', '', 'CreateOpaqueToken\n        config: { ttl: 1h }')}${cached('small', '{ max_entries: 1 }')}${cached('stored', '{ store: true, reuse_until: 0.25 }')}${cached('msal', '{ ignore_params: [client-request-id] }')}
`;

const clock = new TestClock();
let s: Running;
beforeAll(async () => {
  s = await serve(CONFIG, { env: { S }, now: clock.now });
});
afterAll(() => s.close());

async function token(client: string, form: Record<string, string | string[]> = {}, secret = S) {
  return postToken(s.url, { grant_type: 'client_credentials', ...form }, { authorization: basic(client, secret) });
}
async function accessToken(client: string, form: Record<string, string | string[]> = {}): Promise<string> {
  const answer = await token(client, form);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return String(answer.body.access_token);
}
const revoke = (client: string, value: string) => postForm(s.url, '/revoke', { token: value }, { authorization: basic(client, S) });

describe('TokenCache', () => {
  it('answers a repeated request with the same token, expires_in counted down', async () => {
    const first = await token('alpha', { scope: 'a' });
    expect(first.status).toBe(200);
    expect(first.body.expires_in).toBe(3600);
    clock.seconds += 100;
    const second = await token('alpha', { scope: 'a' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ ...first.body, expires_in: 3500 });
    expect(second.headers.get('cache-control')).toBe('no-store');
    const { payload } = await verifyToken(s.url, String(second.body.access_token), { issuer: 'http://127.0.0.1:8080' });
    expect(payload).toMatchObject({ client_id: 'alpha', scope: 'a' });
  });

  it('never hands out a token for another client, scope or audience', async () => {
    const asked = [
      ['alpha', { scope: 'b' }],
      ['beta', { scope: 'b' }],
      ['alpha', { scope: 'a b' }],
      ['alpha', { scope: 'b', audience: 'https://one.example' }],
      ['alpha', { scope: 'b', audience: 'https://two.example' }],
      ['alpha', { scope: 'b', resource: 'https://two.example' }],
    ] as const;
    const tokens: string[] = [];
    for (const [client, form] of asked) tokens.push(await accessToken(client, form));
    expect(new Set(tokens).size).toBe(asked.length);
    for (const [i, [client, form]] of asked.entries()) {
      const { payload } = await verifyToken(s.url, tokens[i]!);
      expect(payload.client_id).toBe(client);
      expect(payload.scope).toBe(form.scope);
      const audience = 'audience' in form ? form.audience : 'resource' in form ? form.resource : undefined;
      if (audience) expect([payload.aud].flat()).toEqual([audience]);
      expect(await accessToken(client, form)).toBe(tokens[i]); // and each is reused for its own request
    }
  });

  it('a revoked token is replaced by a fresh one, which is then reused', async () => {
    const first = await accessToken('beta', { scope: 'a' });
    expect((await revoke('beta', first)).status).toBe(200);
    const fresh = await accessToken('beta', { scope: 'a' });
    expect(fresh).not.toBe(first);
    expect((await introspect(s.url, fresh)).body.active).toBe(true);
    expect(await accessToken('beta', { scope: 'a' })).toBe(fresh);
  });

  it('reuses a token only for reuse_until of its lifetime (default half)', async () => {
    const first = await accessToken('alpha', { scope: 'a', audience: 'https://two.example' });
    clock.seconds += 1799;
    expect(await accessToken('alpha', { scope: 'a', audience: 'https://two.example' })).toBe(first);
    clock.seconds += 1;
    const fresh = await token('alpha', { scope: 'a', audience: 'https://two.example' });
    expect(fresh.body.access_token).not.toBe(first);
    expect(fresh.body.expires_in).toBe(3600);
  });

  it('opaque tokens: reused while active, replaced once revoked', async () => {
    const first = await accessToken('opaque-client', { scope: 'a' });
    expect(first.split('.')).toHaveLength(1);
    expect(await accessToken('opaque-client', { scope: 'a' })).toBe(first);
    expect((await introspect(s.url, first)).body).toMatchObject({ active: true, client_id: 'opaque-client' });
    expect((await revoke('opaque-client', first)).status).toBe(200);
    const fresh = await accessToken('opaque-client', { scope: 'a' });
    expect(fresh).not.toBe(first);
    expect((await introspect(s.url, fresh)).body.active).toBe(true);
  });

  it('keeps at most max_entries tokens: the least recently used goes first', async () => {
    const one = await accessToken('small-1');
    expect(await accessToken('small-1')).toBe(one);
    const two = await accessToken('small-2');
    expect(await accessToken('small-2')).toBe(two);
    expect(await accessToken('small-1')).not.toBe(one); // pushed out by small-2's
  });

  it('with store: true, keeps tokens in the engine store for its own reuse_until', async () => {
    const first = await accessToken('stored');
    clock.seconds += 899;
    expect(await accessToken('stored')).toBe(first);
    clock.seconds += 1;
    expect(await accessToken('stored')).not.toBe(first); // a quarter of 3600s
  });

  it('never caches state: each request gets its own, or none', async () => {
    const first = await token('alpha', { scope: 'a b', audience: 'https://one.example', state: 'first-state' });
    const second = await token('alpha', { scope: 'a b', audience: 'https://one.example', state: 'second-state' });
    expect(second.body.access_token).toBe(first.body.access_token);
    expect(second.body.state).not.toBe('first-state');
    expect(JSON.stringify(second.body)).not.toContain('first-state');
  });

  it('every other parameter is part of the key, unless ignore_params names it', async () => {
    const a = await accessToken('alpha', { scope: 'a', 'client-request-id': '1' });
    expect(await accessToken('alpha', { scope: 'a', 'client-request-id': '2' })).not.toBe(a);
    const m = await accessToken('msal', { scope: 'a', 'client-request-id': '1' });
    expect(await accessToken('msal', { scope: 'a', 'client-request-id': '2' })).toBe(m);
    expect(await accessToken('msal', { scope: 'a', 'x-other': '2' })).not.toBe(m);
  });

  it('a cached token does not spare authentication: a wrong secret is 401', async () => {
    await accessToken('beta', { scope: 'b', audience: 'https://one.example' });
    const wrong = await token('beta', { scope: 'b', audience: 'https://one.example' }, 'wrong-secret-0000000000');
    expect(wrong.status).toBe(401);
    expect(wrong.body.access_token).toBeUndefined();
  });

  it('a refused request is not cached, and hostile parameters are only part of the key', async () => {
    expect((await token('alpha', { scope: 'c' })).status).toBe(400);
    const odd = Object.fromEntries([['scope', 'a'], ['__proto__', 'x'], ['constructor', 'y'], ['toString', 'z']]) as Record<string, string>;
    const first = await accessToken('alpha', odd);
    expect(await accessToken('alpha', odd)).toBe(first);
    expect(await accessToken('alpha', Object.fromEntries([...Object.entries(odd), ['__proto__', 'other']]))).not.toBe(first);
  });
});
