/**
 * Rotating client secrets without downtime (issue 10, part 2): `client_secrets` lists
 * secrets and hashes, each accepted until its `not_after`; the one-secret shorthand stays.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../engine/client-auth/secret-hash.js';
import type { Diagnostic } from '../../../engine/diagnostics.js';
import { positionOf } from '../../helpers/positions.js';
import { basic, load, postToken, serve, type Running } from '../../helpers/sluice.js';
import { verifyToken } from '../../helpers/tokens.js';

const OLD_SECRET = 'old-secret-chosen-by-a-human';
const NEW_SECRET = 'new-secret-0123456789abcdef';
const EXPIRED_SECRET = 'expired-secret-0123456789';
const GENERATED = randomBytes(32).toString('base64url');

/** `$sha256$SALT$HASH`: HMAC-SHA-256 keyed by the salt, both base64url (the documented format). */
function sha256Hash(secret: string): string {
  const salt = randomBytes(16);
  return `$sha256$${salt.toString('base64url')}$${createHmac('sha256', salt).update(secret).digest('base64url')}`;
}

const DAY = 86_400;
const realNow = () => Math.floor(Date.now() / 1000);
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function config(oldHash: string, notAfter: string, expiredAt: string): string {
  return `
keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: rotating
    client_secrets:
      - hash: "${oldHash}"
        not_after: ${notAfter}
      - secret: \${env.NEW_SECRET}
      - { hash: "${sha256Hash(GENERATED)}" }
      - { secret: "\${env.EXPIRED_SECRET}", not_after: "${expiredAt}" }
    scopes: [orders.read]
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
}
const ENV = { NEW_SECRET, EXPIRED_SECRET };
/** Diagnostics but the generated keystore's warning, which every config here gets. */
const secretWarnings = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.code !== 'keystore_invalid');
const grant = { grant_type: 'client_credentials' };

describe('client_secrets during a rotation', () => {
  let s: Running;
  let later: Running;
  let yaml: string;
  const expiredAt = rfc3339(realNow() - DAY);
  beforeAll(async () => {
    // An unquoted timestamp, as an operator would write it.
    yaml = config(await hashSecret(OLD_SECRET, { ln: 10, r: 8, p: 1 }), rfc3339(realNow() + DAY), expiredAt);
    s = await serve(yaml, { env: ENV });
    // The same config two days on: the old secret's not_after has passed.
    later = await serve(yaml, { env: ENV, now: () => realNow() + 2 * DAY });
  });
  afterAll(async () => {
    await s?.close();
    await later?.close();
  });

  it.each([
    ['the old (scrypt) secret', OLD_SECRET],
    ['the new (plain) secret', NEW_SECRET],
    ['the generated ($sha256$) secret', GENERATED],
  ])('issues a token for %s', async (_name, secret) => {
    const r = await postToken(s.url, grant, { authorization: basic('rotating', secret) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.client_id).toBe('rotating');
  });

  it('refuses a secret whose not_after has passed (401 invalid_client)', async () => {
    const r = await postToken(s.url, grant, { authorization: basic('rotating', EXPIRED_SECRET) });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('refuses a wrong secret (401 invalid_client)', async () => {
    const r = await postToken(s.url, grant, { authorization: basic('rotating', `${GENERATED}x`) });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('after the old secret\'s not_after, refuses it and still accepts the others', async () => {
    const old = await postToken(later.url, grant, { authorization: basic('rotating', OLD_SECRET) });
    expect(old.status).toBe(401);
    expect(old.body.error).toBe('invalid_client');
    for (const secret of [NEW_SECRET, GENERATED]) {
      expect((await postToken(later.url, grant, { authorization: basic('rotating', secret) })).status).toBe(200);
    }
  });

  it('warns at load about a secret whose not_after has passed, at its not_after', async () => {
    const { diagnostics } = await load(yaml, { env: ENV });
    expect(secretWarnings(diagnostics)).toEqual([expect.objectContaining({ code: 'schema', ...positionOf(yaml, `"${expiredAt}"`) })]);
  });
});

describe('client_secret_hash takes a $sha256$ hash too', () => {
  it('issues a token for the secret', async () => {
    const s = await serve(`
keystores: [{ id: signing, type: generated }]
rps:
  - { client_id: a, client_secret_hash: "${sha256Hash(GENERATED)}", token_endpoint_auth_method: client_secret_post, client_credentials_pipe_id: p }
pipes:
  - { id: p, valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
`);
    try {
      expect((await postToken(s.url, { ...grant, client_id: 'a', client_secret: GENERATED })).status).toBe(200);
      expect((await postToken(s.url, { ...grant, client_id: 'a', client_secret: NEW_SECRET })).status).toBe(401);
    } finally {
      await s.close();
    }
  });
});

describe('check: client_secrets', () => {
  const rp = (fields: string) => `
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: a
    client_credentials_pipe_id: p
${fields}
pipes:
  - { id: p, valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }] }
`;
  const errorsOf = async (yaml: string) => {
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) expect(engine).toBeUndefined();
    return errors;
  };

  it.each([
    ['client_secret and client_secrets', '    client_secret: ${env.NEW_SECRET}\n    client_secrets:\n      - secret: ${env.NEW_SECRET}', 'client_secrets:'],
    ['client_secret_hash and client_secrets', `    client_secret_hash: "${sha256Hash('x')}"\n    client_secrets:\n      - secret: \${env.NEW_SECRET}`, 'client_secrets:'],
    ['a hash that is neither $scrypt$ nor $sha256$', '    client_secrets:\n      - hash: "$argon2id$v=19$m=65536$c2FsdA$aGFzaA"', '"$argon2id'],
    ['a $sha256$ hash with a short digest', '    client_secrets:\n      - hash: "$sha256$AAAAAAAAAAAAAAAAAAAAAA$AAAA"', '"$sha256$'],
    ['a $sha256$ hash that is not base64url', '    client_secrets:\n      - hash: "$sha256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"', '"$sha256$'],
    ['a not_after that is not an RFC 3339 timestamp', '    client_secrets:\n      - { secret: "${env.NEW_SECRET}", not_after: next week }', 'next week'],
    ['a not_after that is no real date', '    client_secrets:\n      - { secret: "${env.NEW_SECRET}", not_after: 2027-02-30T00:00:00Z }', '2027-02-30'],
    ['a not_after with an impossible offset', '    client_secrets:\n      - { secret: "${env.NEW_SECRET}", not_after: 2027-01-31T00:00:00+25:00 }', '2027-01-31'],
    ['an entry with both secret and hash', `    client_secrets:\n      - { secret: "\${env.NEW_SECRET}", hash: "${sha256Hash('x')}" }`, '{ secret'],
    ['an entry with neither secret nor hash', '    client_secrets:\n      - { not_after: 2027-01-31T00:00:00Z }', '{ not_after'],
    ['an empty list', '    client_secrets: []', '[]'],
  ])('refuses %s, at the offending node', async (_name, fields, at) => {
    const yaml = rp(fields);
    const errors = await errorsOf(yaml);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'schema', ...positionOf(yaml, at) });
  });

  it('accepts client_secrets alone for a client_secret_basic client', async () => {
    const { engine, diagnostics } = await load(rp('    client_secrets:\n      - secret: ${env.NEW_SECRET}'), { env: ENV });
    expect(secretWarnings(diagnostics)).toEqual([]);
    expect(engine).toBeDefined();
  });

  it('warns at the second $scrypt$ hash: a wrong secret would cost two derivations', async () => {
    const [one, two] = await Promise.all([hashSecret('first-0123456789', { ln: 10, r: 8, p: 1 }), hashSecret('second-0123456789', { ln: 10, r: 8, p: 1 })]);
    const yaml = rp(`    client_secrets:\n      - hash: "${one}"\n      - hash: "${sha256Hash('x')}"\n      - hash: "${two}"`);
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeDefined();
    expect(secretWarnings(diagnostics)).toEqual([expect.objectContaining({ severity: 'warning', code: 'schema', ...positionOf(yaml, `"${two}"`) })]);
  });

  it('warns about a secret written in clear in client_secrets', async () => {
    const yaml = rp('    client_secrets:\n      - secret: written-in-clear-0123456789');
    const { engine, diagnostics } = await load(yaml, { env: ENV });
    expect(engine).toBeDefined();
    expect(secretWarnings(diagnostics)).toEqual([expect.objectContaining({ severity: 'warning', ...positionOf(yaml, 'written-in-clear') })]);
  });
});
