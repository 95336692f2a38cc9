/**
 * audience and resource, sent repeated (RFC 8707 section 2, RFC 8693 section 2.1) or as one
 * space-delimited value (OA4MP), or both (issue 12). Each resource is still an absolute
 * URI without a fragment; each value is still one of the client's audiences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const S = 'targets-secret-0123456789';
const API = 'https://api.example.com';
const BILLING = 'https://billing.example.com';
let s: Running;

beforeAll(async () => {
  s = await serve(`
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: svc, client_secret: "\${env.S}", scopes: [a], audiences: ["${API}", "${BILLING}", orders, billing], client_credentials_pipe_id: p }
pipes:
  - id: p
    valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`, { env: { S } });
});
afterAll(() => s.close());

const ask = (extra: Record<string, string | string[]>) =>
  postToken(s.url, { grant_type: 'client_credentials', ...extra }, { authorization: basic('svc', S) });

async function audienceOf(extra: Record<string, string | string[]>): Promise<unknown> {
  const r = await ask(extra);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const { payload } = await verifyToken(s.url, String(r.body.access_token));
  return payload.aud;
}

describe('resource', () => {
  it.each([
    ['space-delimited', `${API} ${BILLING}`],
    ['repeated', [API, BILLING]],
    ['both, with duplicates and extra spaces', [`  ${API}   ${BILLING} `, API]],
  ])('%s: the token is for each', async (_name, resource) => {
    expect(await audienceOf({ resource })).toEqual([API, BILLING]);
  });

  it('one value is the one audience', async () => {
    expect(await audienceOf({ resource: API })).toBe(API);
  });

  it.each([
    ['a relative reference among valid ones', `${API} notauri`],
    ['a fragment', `${API} ${BILLING}#part`],
    ['a fragment in a repeated value', [API, `${BILLING}#`]],
    ['unicode that is no URI', `${API} \u00fcber`],
  ])('with %s is invalid_target (RFC 8707 section 2)', async (_name, resource) => {
    const r = await ask({ resource });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });

  it('naming a service the client may not have is invalid_target', async () => {
    const r = await ask({ resource: `${API} https://evil.example` });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });
});

describe('audience', () => {
  it.each([
    ['space-delimited', 'orders billing'],
    ['repeated', ['orders', 'billing']],
    ['both', ['orders billing', 'billing']],
  ])('%s: the token is for each', async (_name, audience) => {
    expect(await audienceOf({ audience })).toEqual(['orders', 'billing']);
  });

  it('combines with resource', async () => {
    expect(await audienceOf({ audience: 'orders', resource: `${API} ${BILLING}` })).toEqual([API, BILLING, 'orders']);
  });

  it.each([
    ['one value the client lacks', 'orders evil'],
    ['1000 values', Array.from({ length: 1000 }, (_, i) => `a${i}`).join(' ')],
    ['1000 repeats', Array.from({ length: 1000 }, (_, i) => `b${i}`)],
    ['unicode', 'orders \u00f6rders'],
  ])('with %s is invalid_target', async (_name, audience) => {
    const r = await ask({ audience });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });

  it('of spaces only asks for nothing: the defaults', async () => {
    expect(await audienceOf({ audience: '   ' })).toEqual([API, BILLING, 'orders', 'billing']);
  });
});
