/**
 * Client assertions are verified with node:crypto, not jose's jwtVerify (issue 14): every
 * alg a client may sign with still verifies (jose signs them here), a key verifies only
 * the alg its type and curve fit, and hostile shapes of an assertion whose signature is
 * genuine (critical extensions, claims of the wrong type, padding, extra parts, bytes that
 * are not UTF-8) get the same 401 as an unknown client, with the audit reason
 * assertion_invalid. Claims are checked as jose checked them (nbf, aud as an array).
 */
import { constants, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken, serve, type Running } from '../../helpers/sluice.js';
import { assertion, assertionForm, rsaKeyPair, type KeyPair } from './assertion-kit.js';

let server: Running;
let issuer: string;
let rsa: KeyPair;
const ec: Record<'p256' | 'p384' | 'p521', { privateKey: KeyObject; publicKey: KeyObject }> = {} as never;
let ed: { privateKey: KeyObject; publicKey: KeyObject };

beforeAll(async () => {
  rsa = await rsaKeyPair('rs');
  ec.p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  ec.p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  ec.p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  ed = generateKeyPairSync('ed25519');
  const { alg: _alg, ...rsaJwk } = rsa.publicJwk; // no alg: the RSA key verifies RS* and PS*
  const keys = [
    { ...rsaJwk, kid: 'rs' },
    ...(['p256', 'p384', 'p521'] as const).map(async (kid) => ({ ...(await exportJWK(ec[kid].publicKey)), kid })),
    { ...(await exportJWK(ed.publicKey)), kid: 'ed' },
  ];
  server = await serve(`
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: multi
    token_endpoint_auth_method: private_key_jwt
    jwks: ${JSON.stringify({ keys: await Promise.all(keys) })}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
  issuer = server.engine.issuer;
});
afterAll(async () => {
  await server?.close();
});

const REFUSED = { error: 'invalid_client', error_description: 'client authentication failed' };

/** `named`: the form names the client (RFC 7523 section 3.1), for assertions whose sub cannot be read. */
async function expectRefused(signed: string, reason = 'assertion_invalid', named = false): Promise<void> {
  const r = await postToken(server.url, assertionForm(signed, named ? { client_id: 'multi' } : {}));
  expect(r.status).toBe(401);
  expect(r.body).toEqual(REFUSED);
  expect(server.logs.lines.filter((l) => l.event === 'token').at(-1)).toMatchObject({ reason });
}

const claims = (overrides: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'multi', sub: 'multi', aud: `${issuer}/token`, jti: randomUUID(), iat: now, exp: now + 60, ...overrides };
};
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An ES256 assertion over exactly these parts, signed with the client's P-256 key: the signature is genuine. */
function es256(headerPart: string, claimsPart: string): string {
  const signature = sign('sha256', Buffer.from(`${headerPart}.${claimsPart}`), { key: ec.p256.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${headerPart}.${claimsPart}.${signature.toString('base64url')}`;
}
const ES256_HEADER = b64({ alg: 'ES256', kid: 'p256' });

describe('every alg a client may sign with verifies, and only with a key that fits it', () => {
  const cases: Array<[string, string, () => KeyObject]> = [
    ['RS256', 'rs', () => rsa.privateKey], ['RS384', 'rs', () => rsa.privateKey], ['RS512', 'rs', () => rsa.privateKey],
    ['PS256', 'rs', () => rsa.privateKey], ['PS384', 'rs', () => rsa.privateKey], ['PS512', 'rs', () => rsa.privateKey],
    ['ES256', 'p256', () => ec.p256.privateKey], ['ES384', 'p384', () => ec.p384.privateKey], ['ES512', 'p521', () => ec.p521.privateKey],
    ['EdDSA', 'ed', () => ed.privateKey],
  ];
  it.each(cases)('%s (key %s) gets a token', async (alg, kid, key) => {
    const r = await postToken(server.url, assertionForm(await assertion({ clientId: 'multi', audience: issuer, alg, key: key(), header: { kid } })));
    expect(r.status).toBe(200);
  });

  it('a key of another curve or type under the header\'s kid does not verify', async () => {
    const raw = (alg: string, kid: string, digest: string | null, key: KeyObject, options: object = {}) => {
      const head = b64({ alg, kid });
      const body = b64(claims());
      return `${head}.${body}.${sign(digest, Buffer.from(`${head}.${body}`), { key, ...options }).toString('base64url')}`;
    };
    await expectRefused(raw('ES256', 'p384', 'sha256', ec.p384.privateKey, { dsaEncoding: 'ieee-p1363' }));
    await expectRefused(raw('ES384', 'p256', 'sha384', ec.p256.privateKey, { dsaEncoding: 'ieee-p1363' }));
    await expectRefused(raw('EdDSA', 'rs', null, ed.privateKey));
    // A PSS signature presented as RS256: the alg decides the padding, not the signature.
    await expectRefused(raw('RS256', 'rs', 'sha256', rsa.privateKey, { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    // A DER-encoded ECDSA signature: JWS wants R||S (RFC 7518 section 3.4).
    await expectRefused(raw('ES256', 'p256', 'sha256', ec.p256.privateKey, { dsaEncoding: 'der' }));
  });

  it('a signature of another assertion, or one cut short or lengthened, does not verify', async () => {
    const good = es256(ES256_HEADER, b64(claims()));
    const other = es256(ES256_HEADER, b64(claims()));
    const [head, body, signature] = good.split('.') as [string, string, string];
    await expectRefused(`${head}.${body}.${other.split('.')[2]}`);
    await expectRefused(`${head}.${body}.${signature.slice(0, -4)}`);
    await expectRefused(`${head}.${body}.${signature}AAAA`);
    await expectRefused(`${head}.${body}.`);
    expect((await postToken(server.url, assertionForm(good))).status).toBe(200);
  });
});

describe('hostile assertions with a genuine signature', () => {
  it('critical header extensions are refused (RFC 7515 section 4.1.11)', async () => {
    await expectRefused(es256(b64({ alg: 'ES256', kid: 'p256', crit: ['exp'], exp: 1 }), b64(claims())));
    await expectRefused(es256(b64({ alg: 'ES256', kid: 'p256', crit: ['b64'], b64: true }), b64(claims())));
  });

  it('time claims that are not numbers, an nbf still ahead, an exp passed beyond the skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(es256(ES256_HEADER, b64(claims({ iat: String(now) }))));
    await expectRefused(es256(ES256_HEADER, b64(claims({ exp: String(now + 60) }))));
    await expectRefused(es256(ES256_HEADER, b64(claims({ nbf: String(now) }))));
    await expectRefused(es256(ES256_HEADER, b64(claims({ nbf: now + 120 }))));
    await expectRefused(es256(ES256_HEADER, b64(claims({ iat: now - 200, exp: now - 61 }))));
    // Within the 60 s skew: an nbf just ahead and an exp just passed are accepted.
    expect((await postToken(server.url, assertionForm(es256(ES256_HEADER, b64(claims({ nbf: now + 30 })))))).status).toBe(200);
    expect((await postToken(server.url, assertionForm(es256(ES256_HEADER, b64(claims({ iat: now - 100, exp: now - 30 })))))).status).toBe(200);
  });

  it('aud as an array names us when one member does', async () => {
    expect((await postToken(server.url, assertionForm(es256(ES256_HEADER, b64(claims({ aud: ['https://other.example', `${issuer}/token`] })))))).status).toBe(200);
    expect((await postToken(server.url, assertionForm(es256(ES256_HEADER, b64(claims({ aud: [issuer] })))))).status).toBe(200);
    await expectRefused(es256(ES256_HEADER, b64(claims({ aud: ['https://other.example', 42] }))));
    await expectRefused(es256(ES256_HEADER, b64(claims({ aud: { [issuer]: true } }))));
  });

  it('a header or claims set that is not a JSON object, or not UTF-8', async () => {
    await expectRefused(es256(b64(['ES256']), b64(claims())));
    await expectRefused(es256(ES256_HEADER, b64([claims()])), 'assertion_invalid', true);
    await expectRefused(es256(ES256_HEADER, b64('null')), 'assertion_invalid', true);
    const notUtf8 = Buffer.concat([Buffer.from(JSON.stringify(claims()).slice(0, -1) + ',"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    await expectRefused(es256(ES256_HEADER, notUtf8.toString('base64url')), 'assertion_invalid', true);
  });

  it('padded or standard base64, and more or fewer than three parts', async () => {
    const body = b64(claims());
    await expectRefused(es256(`${ES256_HEADER}=`, body));
    // Standard base64 (RFC 4648 section 4) with + or / in it: a note that shifts the bytes until it has.
    let standard = '';
    for (let note = ''; !/[+/]/.test(standard); note += '?') standard = Buffer.from(JSON.stringify(claims({ note: `>>>${note}` }))).toString('base64').replace(/=+$/, '');
    await expectRefused(es256(ES256_HEADER, standard), 'assertion_invalid', true);
    const good = es256(ES256_HEADER, b64(claims()));
    for (const parts of [`${good}.`, `${good}..`, good.split('.').slice(0, 2).join('.')]) await expectRefused(parts, 'assertion_invalid', true);
  });

  it('an HMAC header routes to client_secret_jwt: a method mismatch for this client, as before', async () => {
    await expectRefused(es256(b64({ alg: 'HS256' }), b64(claims())), 'method_mismatch');
  });
});
