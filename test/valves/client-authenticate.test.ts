import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../engine/client-auth/secret-hash.js';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';

describe('ClientAuthenticate', () => {
  let s: Running;
  beforeAll(async () => {
    const hash = await hashSecret('hashed-secret-0123456789', { ln: 12, r: 8, p: 1 });
    const config = BASIC_CONFIG.replace('rps:', `rps:
  - client_id: hashed
    client_secret_hash: "${hash}"
    scopes: [a]
    client_credentials_pipe_id: m2m-jwt
  - client_id: b64
    client_secret: \${env.B64_SECRET}
    client_credentials_pipe_id: m2m-jwt
  - client_id: "weird id:+"
    client_secret: \${env.WEIRD_SECRET}
    client_credentials_pipe_id: m2m-jwt`);
    s = await serve(config, { env: { ...BASIC_ENV, WEIRD_SECRET: 'p@ss word:+%', B64_SECRET: 'AbC+dEf/GhI=0123%zz' } });
  });
  afterAll(() => s.close());

  const grant = { grant_type: 'client_credentials' };

  const valid: Array<[string, Record<string, string>, Record<string, string>]> = [
    ['client_secret_basic', grant, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) }],
    ['client_secret_post', { ...grant, client_id: 'poster', client_secret: BASIC_ENV.POSTER_SECRET }, {}],
    ['a hashed secret', grant, { authorization: basic('hashed', 'hashed-secret-0123456789') }],
    ['form-encoded id and secret in Basic (RFC 6749 §2.3.1)', grant, { authorization: basic('weird id:+', 'p@ss word:+%') }],
    ['a Basic secret sent without form-encoding, as curl -u does', grant, { authorization: 'Basic ' + Buffer.from('b64:AbC+dEf/GhI=0123%zz').toString('base64') }],
    ['the same secret form-encoded', grant, { authorization: basic('b64', 'AbC+dEf/GhI=0123%zz') }],
    ['basic plus the same client_id in the body', { ...grant, client_id: 'orders-service' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) }],
  ];
  it.each(valid)('accepts %s', async (_name, form, headers) => {
    const response = await postToken(s.url, form, headers);
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('Bearer');
  });

  it('accepts a hashed secret again from the verified cache', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await postToken(s.url, grant, { authorization: basic('hashed', 'hashed-secret-0123456789') })).status).toBe(200);
    }
  });

  const invalidClient: Array<[string, Record<string, string>, Record<string, string>]> = [
    ['a wrong secret', grant, { authorization: basic('orders-service', 'wrong') }],
    ['a wrong hashed secret', grant, { authorization: basic('hashed', 'hashed-secret-012345678') }],
    ['an unknown client', grant, { authorization: basic('nobody', 'x') }],
    ['no credentials at all', grant, {}],
    ['a client_id without a secret', { ...grant, client_id: 'orders-service' }, {}],
    ['post for a client registered with basic', { ...grant, client_id: 'orders-service', client_secret: BASIC_ENV.ORDERS_SECRET }, {}],
    ['basic for a client registered with post', grant, { authorization: basic('poster', BASIC_ENV.POSTER_SECRET) }],
    ['a malformed Authorization header', grant, { authorization: 'Basic !!!' }],
    ['a Bearer Authorization header', grant, { authorization: 'Bearer abc' }],
    ['Basic without a colon', grant, { authorization: 'Basic ' + Buffer.from('orders-service').toString('base64') }],
    ['a client assertion (not supported yet)', { ...grant, client_id: 'orders-service', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'x.y.z' }, {}],
  ];
  it.each(invalidClient)('refuses %s with 401 invalid_client and a challenge', async (_name, form, headers) => {
    const response = await postToken(s.url, form, headers);
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="sluice"/);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('tells a stranger nothing about which clients exist or how they authenticate', async () => {
    const before = s.logs.lines.length;
    const answers = await Promise.all([
      postToken(s.url, grant, { authorization: basic('nobody', 'x') }),
      postToken(s.url, grant, { authorization: basic('poster', BASIC_ENV.POSTER_SECRET) }),
      postToken(s.url, { ...grant, client_id: 'orders-service' }),
      postToken(s.url, grant, { authorization: basic('orders-service', 'wrong') }),
    ]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body)))).toEqual(new Set(['{"error":"invalid_client","error_description":"client authentication failed"}']));
    // The operator still learns why, from the log.
    const details = s.logs.lines.slice(before).map((l) => l.error_detail);
    expect(details).toEqual(expect.arrayContaining(['unknown client', 'client_secret_basic used; the client is registered for client_secret_post', 'wrong secret']));
  });

  it('refuses two authentication methods at once with invalid_request (RFC 6749 §2.3)', async () => {
    const response = await postToken(s.url, { ...grant, client_id: 'orders-service', client_secret: BASIC_ENV.ORDERS_SECRET }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('refuses a body client_id that differs from the Basic one', async () => {
    const response = await postToken(s.url, { ...grant, client_id: 'poster' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('never logs the secret or the token', async () => {
    const ok = await postToken(s.url, grant, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
    await postToken(s.url, { ...grant, client_id: 'poster', client_secret: 'a-wrong-post-secret' });
    expect(s.logs.text).not.toContain(BASIC_ENV.ORDERS_SECRET);
    expect(s.logs.text).not.toContain('a-wrong-post-secret');
    expect(s.logs.text).not.toContain(String(ok.body.access_token));
    const line = s.logs.lines.findLast((l) => l.event === 'token');
    expect(line).toMatchObject({ client_id: 'poster', outcome: 'refused', error: 'invalid_client' });
    expect(typeof line?.duration_ms).toBe('number');
  });
});
