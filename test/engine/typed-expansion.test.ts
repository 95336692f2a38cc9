/**
 * FortifiedID's typed expansion (`"@int:${…}"`, `"@int:99"`) and `${a.b.0}`, seen through
 * what a user sees: claims of a token verified against /jwks, the token endpoint's error
 * code, and `check`'s position for a constant that cannot be converted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };
const grant = { grant_type: 'client_credentials' };

function withClaims(claims: string, attributes = "{ appid: orders, roles: [order-reader], level: '7', big: '9007199254740991', ratio: '56.78', on: 'TRUE', off: 'yes', obj: '{\"a\":1}', arr: '[1,2]', bad: 'seven' }"): string {
  return BASIC_CONFIG.replace('attributes: { appid: orders, roles: [order-reader] }', `attributes: ${attributes}`).replace(
    /          jwt_claims:\n(?:            .*\n)+/,
    `          jwt_claims:\n${claims.trim().split('\n').map((l) => `            ${l}`).join('\n')}\n`,
  );
}

describe('typed expansion in a token', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(withClaims(`
level: "@int:\${client.attributes.level}"
big: "@long:\${client.attributes.big}"
ratio: "@double:\${client.attributes.ratio}"
ratio_f: "@float:\${client.attributes.ratio}"
num: "@number:\${client.attributes.level}"
on: "@boolean:\${client.attributes.on}"
off: "@bool:\${client.attributes.off}"
obj: "@json-object:\${client.attributes.obj}"
arr: "@json-array:\${client.attributes.arr}"
any: "@json:\${client.attributes.obj}"
text: "@string:\${client.attributes.level}"
literal: "@int:99"
mixed: "@int:1\${client.attributes.level}"
unknown: "@foo:\${client.attributes.level}"
missing: "@int:\${client.attributes.nothing}"
first_aud: \${client.audiences.0}
first_role: \${client.attributes.roles.0}
requested_n: "@int:\${request.params.n}"`), { env: BASIC_ENV });
  });
  afterAll(() => s.close());

  it('converts each type as FortifiedID defines it; an unknown directive leaves the text; an absent value leaves the claim out', async () => {
    const r = await postToken(s.url, grant, auth);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.engine.issuer });
    expect(payload).toMatchObject({
      level: 7,
      big: 9007199254740991,
      ratio: 56.78,
      ratio_f: 56.78,
      num: 7,
      on: true,
      off: false,
      obj: { a: 1 },
      arr: [1, 2],
      any: { a: 1 },
      text: '7',
      literal: 99,
      mixed: 17,
      unknown: '@foo:7',
    });
    expect(payload).not.toHaveProperty('missing');
    expect(payload).not.toHaveProperty('requested_n');
  });

  it('reads array elements as ${a.b.0}', async () => {
    const { payload } = await verifyToken(s.url, String((await postToken(s.url, grant, auth)).body.access_token));
    expect(payload.first_aud).toBe('https://api.example.com');
    expect(payload.first_role).toBe('order-reader');
  });

  it('converts what the caller sent, and answers invalid_request when it is not of the type', async () => {
    const ok = await postToken(s.url, { ...grant, n: '42' }, auth);
    expect((await verifyToken(s.url, String(ok.body.access_token))).payload.requested_n).toBe(42);
    for (const n of ['forty-two', '0x10', '1e3', '99999999999', ' 4 2 ', '{"__proto__":1}']) {
      const r = await postToken(s.url, { ...grant, n }, auth);
      expect(r.status, n).toBe(400);
      expect(r.body.error, n).toBe('invalid_request');
    }
  });
});

describe('a conversion that fails on what the configuration reads', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(withClaims('level: "@int:${client.attributes.bad}"'), { env: BASIC_ENV });
  });
  afterAll(() => s.close());

  it('is server_error: the caller cannot correct it', async () => {
    const r = await postToken(s.url, grant, auth);
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('server_error');
    expect(JSON.stringify(r.body)).not.toContain('seven');
  });
});

describe('a constant that cannot be converted', () => {
  it('is a load error at the value, after the directive', async () => {
    const yaml = withClaims('level: "@int:ninety"');
    const { diagnostics } = await load(yaml, { env: BASIC_ENV });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const line = yaml.split('\n').findIndex((l) => l.includes('@int:ninety')) + 1;
    expect(errors.map((d) => [d.code, d.line])).toEqual([['template', line]]);
    const col = yaml.split('\n')[line - 1]!.indexOf('ninety') + 1;
    expect(errors[0]!.col).toBe(col);
  });
});
