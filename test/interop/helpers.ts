/**
 * Shared set-up for the interop suite: serve BASIC_CONFIG (or a variant) so that its
 * issuer is the URL it is really served at — standard clients insist that the discovered
 * `issuer` equals the URL they were given — and check tokens with jose, independently of
 * whichever library got them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, expect } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, serve, type Running } from '../helpers/sluice.js';

export { BASIC_ENV };
export const ORDERS = { id: 'orders-service', secret: BASIC_ENV.ORDERS_SECRET } as const; // client_secret_basic
export const POSTER = { id: 'poster', secret: BASIC_ENV.POSTER_SECRET } as const; // client_secret_post
export const API = 'https://api.example.com';
export const BILLING = 'https://billing.example.com';

export type Alg = 'ES256' | 'RS256' | 'EdDSA';

/**
 * BASIC_CONFIG without its `issuer:` line (the default issuer is then the served
 * http://127.0.0.1:PORT), signing with `alg`. `spareAlg` publishes a second, unused key,
 * so that validators have to pick the signing key by `kid`.
 */
export function interopConfig(alg: Alg = 'ES256', options: { spareAlg?: Alg } = {}): string {
  let yaml = BASIC_CONFIG.replace(/^issuer:.*\n/m, '');
  if (!/^\s+alg: ES256$/m.test(yaml)) throw new Error('BASIC_CONFIG changed: no keystore alg line to replace');
  const spare = options.spareAlg ? `\n  - id: spare\n    type: generated\n    alg: ${options.spareAlg}` : '';
  yaml = yaml.replace(/^(\s+)alg: ES256$/m, `$1alg: ${alg}${spare}`);
  return yaml;
}

export type Served = Awaited<ReturnType<typeof serveInterop>>;

/** Each signing alg, served with a spare key of another type published beside it. */
export const ALG_SETUPS: ReadonlyArray<{ alg: Alg; spare: Alg }> = [
  { alg: 'ES256', spare: 'RS256' },
  { alg: 'RS256', spare: 'ES256' },
  { alg: 'EdDSA', spare: 'ES256' },
];

/**
 * One server per alg for the whole test file (started in beforeAll, closed in afterAll,
 * not at all when `enabled` is false); returns a lookup by alg.
 */
export function serversPerAlg(enabled = true): (alg: Alg) => Served {
  const servers = new Map<Alg, Served>();
  beforeAll(async () => {
    if (!enabled) return;
    await Promise.all(ALG_SETUPS.map(async ({ alg, spare }) => servers.set(alg, await serveInterop(alg, { spareAlg: spare }))));
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.close()));
  });
  return (alg) => {
    const s = servers.get(alg);
    if (!s) throw new Error(`no server for ${alg}`);
    return s;
  };
}

/** Serve an interop config; the issuer is the served URL. */
export async function serveInterop(alg: Alg = 'ES256', options: { spareAlg?: Alg } = {}): Promise<Running & { issuer: string; tokenUrl: string; jwksUri: string }> {
  const running = await serve(interopConfig(alg, options), { env: BASIC_ENV });
  expect(running.engine.issuer).toBe(running.url);
  return { ...running, issuer: running.url, tokenUrl: `${running.url}/token`, jwksUri: `${running.url}/jwks` };
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  const part = token.split('.')[index];
  if (part === undefined) throw new Error('not a compact JWS');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The keys a Sluice server publishes, fetched as any validator would. */
export async function fetchJwks(issuer: string): Promise<{ keys: Array<Record<string, unknown>> }> {
  const response = await fetch(`${issuer}/jwks`);
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: Array<Record<string, unknown>> };
}

export interface Expected {
  issuer: string;
  clientId: string;
  audience: string | string[];
  scope?: string;
  alg: Alg;
  /** jwt_ttl of BASIC_CONFIG: 10 minutes. */
  ttl?: number;
}

/**
 * Verify an access token with jose against the issuer's JWKS (RFC 9068 checks: typ
 * at+jwt, iss, aud, exp) and assert the claims every Sluice access token carries.
 */
export async function verifyWithJose(token: string, expected: Expected): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${expected.issuer}/jwks`));
  const audience = [expected.audience].flat()[0]!;
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: expected.issuer,
    audience,
    typ: 'at+jwt',
    algorithms: [expected.alg],
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
  });
  expect(protectedHeader.alg).toBe(expected.alg);
  expect(protectedHeader.typ).toBe('at+jwt');
  const { keys } = await fetchJwks(expected.issuer);
  const signingKey = keys.find((k) => k.kid === protectedHeader.kid);
  expect(signingKey, `kid ${protectedHeader.kid} is in the JWKS`).toBeDefined();
  expectSluiceClaims(payload, expected);
  return payload;
}

export function expectSluiceClaims(payload: Record<string, unknown>, expected: Expected): void {
  expect(payload.iss).toBe(expected.issuer);
  expect(payload.sub).toBe(expected.clientId);
  expect(payload.client_id).toBe(expected.clientId);
  expect(payload.aud).toEqual(expected.audience);
  if (expected.scope === undefined) expect(payload).not.toHaveProperty('scope');
  else expect(payload.scope).toBe(expected.scope);
  expect(typeof payload.iat).toBe('number');
  expect(typeof payload.exp).toBe('number');
  expect((payload.exp as number) - (payload.iat as number)).toBe(expected.ttl ?? 600);
  expect(typeof payload.jti).toBe('string');
  expect((payload.jti as string).length).toBeGreaterThanOrEqual(16);
}

/** The kid in a token's header, and the JWKS entry it names. */
export async function kidOf(token: string, issuer: string): Promise<{ kid: string; jwk: Record<string, unknown> | undefined }> {
  const kid = String(decodeProtectedHeader(token).kid);
  const { keys } = await fetchJwks(issuer);
  return { kid, jwk: keys.find((k) => k.kid === kid) };
}

/**
 * Run a command without blocking the event loop: the Sluice server under test lives in
 * this process, so a synchronous child would deadlock against it.
 */
export const run = promisify(execFile);
