/**
 * What a caller without credentials can learn: nothing about which clients exist or what
 * their requests would get (issue 9, items 2 and 4), and a client_id of any size does not
 * flood the log (item 13).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../engine/client-auth/secret-hash.js';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const SECRET = 'known-secret-0123456789';
let s: Running;

beforeAll(async () => {
  const hash = await hashSecret(SECRET, { ln: 10, r: 8, p: 1 });
  s = await serve(`
keystores: [{ id: signing, type: generated }]
rps:
  - { client_id: hashed, client_secret_hash: "${hash}", scopes: [a], audiences: ["https://api.example.com"], client_credentials_pipe_id: with-valve }
  - { client_id: plain, client_secret: "\${env.S}", token_endpoint_auth_method: client_secret_post, scopes: [a], client_credentials_pipe_id: engine-auth }
pipes:
  - id: with-valve
    valves: [{ name: ClientAuthenticate }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: engine-auth
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`, { env: { S: SECRET } });
});
afterAll(() => s.close());

const probes: Array<[string, Record<string, string>]> = [
  ['a resource that is not a URI', { resource: 'notauri' }],
  ['a scope with a quote', { scope: 'a"b' }],
  ['a scope the client does not have', { scope: 'admin' }],
  ['an audience the client does not have', { audience: 'https://evil.example' }],
  ['a space-delimited resource with a relative one', { resource: 'https://api.example.com notauri' }],
  ['an audience list with one the client does not have', { audience: 'https://api.example.com https://evil.example' }],
  ['a malformed at_lifetime', { at_lifetime: '1e309' }],
  ['a negative at_lifetime', { at_lifetime: '-5' }],
  ['an exp already past', { exp: '1' }],
  ['a malformed exp', { exp: 'NaN' }],
  ['an exp a moment ahead', { exp: String(Math.floor(Date.now() / 1000) + 1) }],
  ['an iss that is another client', { iss: 'plain' }],
  ['a state too long', { state: 's'.repeat(2000) }],
  ['a state that is not ASCII', { state: '\u00e9t\u00e9' }],
  ['a state that is fine', { state: 'xyz' }],
  ['a nonce with a control character', { nonce: 'a\tb' }],
  ['a jti too long', { jti: 'j'.repeat(2000) }],
];

describe('a caller without valid credentials', () => {
  it.each(probes)('gets the same answer for a known and an unknown client_id: %s', async (_name, extra) => {
    const answers = [];
    for (const [id, how] of [['hashed', 'basic'], ['nobody', 'basic'], ['plain', 'post'], ['nobody', 'post'], ['hashed', 'none'], ['nobody', 'none']] as const) {
      const form = { grant_type: 'client_credentials', ...extra, ...(how === 'basic' ? {} : { client_id: id }), ...(how === 'post' ? { client_secret: 'wrong' } : {}) };
      const r = await postToken(s.url, form, how === 'basic' ? { authorization: basic(id, 'wrong') } : {});
      answers.push({ status: r.status, body: r.body });
    }
    for (const answer of answers) expect(answer).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } });
  });

  it.each(([
    ['hashed', 'resource', 'notauri', 'invalid_target'],
    ['hashed', 'scope', 'a"b', 'invalid_scope'],
    ['plain', 'scope', 'admin', 'invalid_scope'],
    ['plain', 'audience', 'https://evil.example', 'invalid_target'],
    ['hashed', 'resource', 'https://api.example.com notauri', 'invalid_target'],
    ['hashed', 'at_lifetime', '1e309', 'invalid_request'],
    ['plain', 'at_lifetime', '-5', 'invalid_request'],
    ['hashed', 'exp', '1', 'invalid_request'],
    ['plain', 'exp', 'NaN', 'invalid_request'],
    ['hashed', 'iss', 'plain', 'invalid_request'],
    ['plain', 'iss', 'hashed', 'invalid_request'],
    ['hashed', 'state', 's'.repeat(2000), 'invalid_request'],
    ['plain', 'state', '\u00e9t\u00e9', 'invalid_request'],
    ['hashed', 'nonce', 'a\tb', 'invalid_request'],
    ['plain', 'jti', 'j'.repeat(2000), 'invalid_request'],
  ] as const).map(([id, key, value, error]) => [id, key, value.length > 40 ? `${value.slice(0, 10)}...(${value.length} chars)` : JSON.stringify(value), error, value] as const))('once %s is authenticated, its %s=%s is judged: %s', async (id, key, _label, error, value) => {
    const r = id === 'hashed'
      ? await postToken(s.url, { grant_type: 'client_credentials', [key]: value }, { authorization: basic(id, SECRET) })
      : await postToken(s.url, { grant_type: 'client_credentials', client_id: id, client_secret: SECRET, [key]: value });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe(error);
  });

  it('logs a claimed client_id cut to a bounded length', async () => {
    const huge = 'x'.repeat(8000);
    const r = await postToken(s.url, { grant_type: 'client_credentials', client_id: huge, client_secret: 'wrong' });
    expect(r.status).toBe(401);
    const line = s.logs.lines.findLast((l) => l.event === 'token')!;
    expect(String(line.client_id).length).toBeLessThan(100);
    expect(s.logs.text).not.toContain('x'.repeat(200));
  });
});
