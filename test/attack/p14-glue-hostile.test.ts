/**
 * Issue 14 made the token endpoint's glue leaner (synchronous steps, a shared settled
 * promise, a shared frozen object when no request-time parameter is sent, the Basic header
 * decoded only when it holds '%' or '+'). What a caller sees must not have changed: RFC
 * 6749 section 2.3.1 Basic encoding, repeated and odd parameters, an unknown client
 * answered as a wrong secret, `state` echoed to a proven caller only, and a plugin valve
 * that mutates what it is given cannot change another request's answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const SECRETS = {
  plain: 'plain-secret-0123456789',
  plus: 'plus+secret/slash=0123456789',
  percent: 'pct%41literal-0123456789',
  unicode: 'geheimnis-ü-✓-0123456789',
  colon: 'colon:secret-0123456789',
};

const PLUGIN = `
export default [
  { name: 'Meddler', create() {
    return async function meddler(flow, next) {
      // Everything it is given that it can reach: each try is its own, a refusal is fine.
      for (const poke of [
        () => { flow.request.params.scope = 'x'; },
        () => { flow.request.state = 'forged'; },
        () => { flow.authentication.client_id = 'someone-else'; },
        () => { flow.request.scope.push('orders.write'); },
        () => { Object.getPrototypeOf(flow.request.params) && (Object.getPrototypeOf(flow.request.params).polluted = 1); },
      ]) { try { poke(); } catch {} }
      await next();
    };
  } },
  { name: 'PromiseTagger', create(_config, engine) {
    return async function promiseTagger(flow, next) {
      // A careless plugin that tags the promise it is given: it must stay its own.
      const proven = engine.authenticateClient(flow);
      try { proven.then = function () { return new Promise(() => {}); }; } catch {}
      await proven;
      await next();
    };
  } },
];
`;

let s: Running;
beforeAll(async () => {
  s = await serve(`
keystores: [{ id: signing, type: generated, alg: ES256 }]
plugins: [./meddler.mjs]
rps:
  - { client_id: plain, client_secret: "\${env.PLAIN}", scopes: [orders.read, orders.write, constructor], client_credentials_pipe_id: issue }
  - { client_id: "svc+plus", client_secret: "\${env.PLUS}", scopes: [orders.read], client_credentials_pipe_id: issue }
  - { client_id: "svc%pct", client_secret: "\${env.PERCENT}", scopes: [orders.read], client_credentials_pipe_id: issue }
  - { client_id: "svc-u", client_secret: "\${env.UNICODE}", scopes: [orders.read], client_credentials_pipe_id: issue }
  - { client_id: "svc:colon", client_secret: "\${env.COLON}", scopes: [orders.read], client_credentials_pipe_id: issue }
  - { client_id: meddled, client_secret: "\${env.PLAIN}", scopes: [orders.read, orders.write], client_credentials_pipe_id: meddle }
  - { client_id: tagger, client_secret: "\${env.PLAIN}", scopes: [orders.read], client_credentials_pipe_id: tag }
pipes:
  - id: issue
    valves: [{ name: ClientAuthenticate }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: tag
    valves: [{ name: ClientAuthenticate }, { name: PromiseTagger }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: meddle
    valves: [{ name: ClientAuthenticate }, { name: Meddler }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`, {
    env: { PLAIN: SECRETS.plain, PLUS: SECRETS.plus, PERCENT: SECRETS.percent, UNICODE: SECRETS.unicode, COLON: SECRETS.colon },
    files: { 'meddler.mjs': PLUGIN },
  });
});
afterAll(() => s.close());

const CC = { grant_type: 'client_credentials' };
const raw = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

describe('RFC 6749 section 2.3.1: Basic credentials, form-encoded then base64', () => {
  it.each([
    ['plain', SECRETS.plain],
    ['svc+plus', SECRETS.plus],
    ['svc%pct', SECRETS.percent],
    ['svc-u', SECRETS.unicode],
    ['svc:colon', SECRETS.colon],
  ])('%s, encoded as the RFC says: a token', async (id, secret) => {
    const r = await postToken(s.url, CC, { authorization: basic(id, secret) });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe(id === 'plain' ? 'orders.read orders.write constructor' : 'orders.read');
  });

  it.each([
    ['plain', SECRETS.plain],
    ['svc-u', SECRETS.unicode],
    ['plain', SECRETS.plain.toUpperCase()],
  ])('sent raw (curl -u) %s: a token for the right secret only', async (id, secret) => {
    const r = await postToken(s.url, CC, { authorization: raw(id, secret) });
    expect(r.status).toBe(secret === SECRETS.plain.toUpperCase() ? 401 : 200);
  });

  it('a raw secret with + / = and %XX (curl -u) still works, as before', async () => {
    expect((await postToken(s.url, CC, { authorization: 'Basic ' + Buffer.from(`plain:${SECRETS.plain}`).toString('base64') })).status).toBe(200);
    const percent = await postToken(s.url, CC, { authorization: raw('svc%25pct', SECRETS.percent) });
    expect(percent.status).toBe(200);
  });

  it.each([
    ['no colon', 'Basic ' + Buffer.from('plain').toString('base64')],
    ['empty id', 'Basic ' + Buffer.from(`:${SECRETS.plain}`).toString('base64')],
    ['not base64', 'Basic !!!'],
    ['another scheme', 'Bearer abc'],
    ['two spaces', 'Basic  ' + Buffer.from(`plain:${SECRETS.plain}`).toString('base64')],
    ['bad percent in id', 'Basic ' + Buffer.from(`pl%zzain:${SECRETS.plain}`).toString('base64')],
  ])('malformed (%s): invalid_client, never a 500', async (_name, authorization) => {
    const r = await postToken(s.url, CC, { authorization });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });
});

describe('an unknown client is answered as a wrong secret', () => {
  it('same status, error code and challenge; no state for either', async () => {
    const unknown = await postToken(s.url, { ...CC, state: 'abc' }, { authorization: basic('nobody', SECRETS.plain) });
    const wrong = await postToken(s.url, { ...CC, state: 'abc' }, { authorization: basic('plain', 'wrong-secret-0123456789') });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body.state).toBeUndefined();
    expect(unknown.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
  });

  it('state is echoed once the caller is proven, success or refusal', async () => {
    const ok = await postToken(s.url, { ...CC, state: 'st-1' }, { authorization: basic('plain', SECRETS.plain) });
    expect(ok.body.state).toBe('st-1');
    const refused = await postToken(s.url, { ...CC, state: 'st-2', scope: 'admin' }, { authorization: basic('plain', SECRETS.plain) });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_scope', state: 'st-2' });
    const none = await postToken(s.url, CC, { authorization: basic('plain', SECRETS.plain) });
    expect('state' in none.body).toBe(false);
  });
});

describe('hostile parameters', () => {
  it.each([
    [{ scope: ['orders.read', 'orders.write'] }, 400, 'invalid_request'],
    [{ grant_type: ['client_credentials', 'client_credentials'] }, 400, 'invalid_request'],
    [{ scope: '' }, 200, undefined],
    [{ scope: ' orders.read' }, 200, undefined],
    [{ scope: 'orders.read  orders.write ' }, 200, undefined],
    [{ scope: 'orders.read orders.read' }, 200, undefined],
    [{ scope: '   ' }, 200, undefined],
    [{ scope: 'orders.read\torders.write' }, 400, 'invalid_scope'],
    [{ scope: '__proto__' }, 400, 'invalid_scope'],
    [{ scope: 'constructor' }, 200, undefined],
    [{ scope: 'toString' }, 400, 'invalid_scope'],
    [{ __proto__: 'x', constructor: 'y', hasOwnProperty: 'z' }, 200, undefined],
    [{ resource: '__proto__' }, 400, 'invalid_target'],
    [{ audience: ['__proto__', 'constructor'] }, 400, 'invalid_target'],
    [{ state: '' }, 200, undefined],
    [{ at_lifetime: '' , exp: '' }, 200, undefined],
  ] as Array<[Record<string, string | string[]>, number, string | undefined]>)('%j: %i %s', async (extra, status, error) => {
    const form: Record<string, string | string[]> = Object.create(null);
    Object.assign(form, CC);
    for (const key of Object.keys(extra)) form[key] = extra[key]!;
    if (Object.hasOwn(extra, '__proto__')) Object.defineProperty(form, '__proto__', { value: 'x', enumerable: true });
    const r = await postToken(s.url, form, { authorization: basic('plain', SECRETS.plain) });
    expect(r.status).toBe(status);
    expect(r.body.error).toBe(error);
    if (status === 200) expect(r.body.scope).toMatch(/^[a-z.]+( [a-z.]+)*$/);
    if (extra.scope === 'orders.read orders.read') expect(r.body.scope).toBe('orders.read');
    if (extra.scope === 'orders.read  orders.write ') expect(r.body.scope).toBe('orders.read orders.write');
  });

  it('a plugin valve that mutates what it is given changes nothing for the next request', async () => {
    const meddled = await postToken(s.url, { ...CC, scope: 'orders.read' }, { authorization: basic('meddled', SECRETS.plain) });
    expect(meddled.status).toBe(200);
    expect(meddled.body.state).toBeUndefined();
    // The next requests, with and without request-time parameters, are as if no valve had run.
    const after = await postToken(s.url, CC, { authorization: basic('plain', SECRETS.plain) });
    expect(after.status).toBe(200);
    expect(after.body).not.toHaveProperty('state');
    const again = await postToken(s.url, { ...CC, scope: 'orders.read' }, { authorization: basic('meddled', SECRETS.plain) });
    expect(again.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a plugin valve that changes the promise authenticateClient gave it cannot stop other clients' requests", async () => {
    const tagged = await postToken(s.url, CC, { authorization: basic('tagger', SECRETS.plain) });
    expect(tagged.status).toBe(200);
    const other = await postToken(s.url, CC, { authorization: basic('plain', SECRETS.plain) });
    expect(other.status).toBe(200);
    expect(other.body.scope).toBe('orders.read orders.write constructor');
  });
});
