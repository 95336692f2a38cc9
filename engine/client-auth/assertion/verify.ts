/**
 * Verifying a client assertion (RFC 7523 section 3; OpenID Connect Core section 9):
 *
 * - `client_assertion_type` is urn:ietf:params:oauth:client-assertion-type:jwt-bearer;
 * - signed with an allowed alg by a key of the client (never `none`);
 * - `iss` = `sub` = client_id (section 3, items 1 and 2);
 * - `aud` contains the token endpoint URL or the issuer (item 3);
 * - `exp` present and not passed, beyond the clock skew (item 4); `nbf` honoured (item 5);
 * - a short life: `exp - iat` (or `exp - now`) at most the client's maximum, so that a
 *   stolen assertion is worth little and the replay store stays small;
 * - `jti` present and never seen before while the assertion lives (item 7: "the
 *   authorization server MAY ensure that JWTs are not replayed"; OIDC Core section 9 says
 *   the jti "MUST only be used once").
 *
 * Every failure is invalid_client with the one vague description; the reason is the
 * error's detail, for the log only. A full replay store is 503, not a failure.
 *
 * Not through jose's jwtVerify (issue 14): its generic path (WebCrypto, options checked
 * per call, the token decoded again) cost more main-thread time than the signature. The
 * assertion is decoded once per request (decoded.ts), the signature is checked by
 * node:crypto off the event loop (signature.ts), and the claims here, as jose checked them.
 */
import { createHash } from 'node:crypto';
import { chargeClientQuota } from '../../store/client-quota.js';
import { isOAuthError } from '../../errors.js';
import { authenticationFailed } from '../failure.js';
import type { ClientCredentialsConfig } from '../authenticate.js';
import type { MethodContext, PresentedCredentials } from '../methods/types.js';
import { decodeAssertion } from './decoded.js';
import { JWT_BEARER_ASSERTION_TYPE } from './presented.js';
import { signatureVerifies, type VerifyingKey } from './signature.js';

/** Defaults for a client's assertions (RP `assertion_max_lifetime`, `assertion_clock_skew`). */
export const DEFAULT_ASSERTION_RULES: AssertionRules = { maxLifetime: 300, clockSkew: 60 };

export interface AssertionRules {
  /** Seconds from iat (or now) to exp. */
  readonly maxLifetime: number;
  /** Seconds of tolerance for exp, nbf and iat. */
  readonly clockSkew: number;
}

/** jti values are held until the assertion expires; longer ones are refused. */
const MAX_JTI_LENGTH = 256;

export type JoseHeader = Readonly<Record<string, unknown>> & { readonly alg: string };

/** The parts of the compact JWS as sent, as jose's key resolvers take them. */
export interface AssertionParts {
  readonly protected: string;
  readonly payload: string;
  readonly signature: string;
}

/**
 * The keys that may have signed an assertion with this header, in the order to try
 * them; throws when the header names no key of the client.
 */
export type AssertionKeys = (header: JoseHeader, parts: AssertionParts) => Promise<readonly VerifyingKey[]> | readonly VerifyingKey[];

class AssertionProblem extends Error {}

/**
 * Verify with the first of the keys that verifies the signature (several for a client
 * with more than one secret, or a key set and a header without kid), then the claims,
 * then the replay store.
 */
export async function verifyAssertion(presented: PresentedCredentials, client: ClientCredentialsConfig, context: MethodContext, keys: AssertionKeys, algorithms: readonly string[]): Promise<void> {
  try {
    if (presented.assertionType !== JWT_BEARER_ASSERTION_TYPE) throw new AssertionProblem(`client_assertion_type is not ${JWT_BEARER_ASSERTION_TYPE}`);
    if (!presented.assertion) throw new AssertionProblem('no client_assertion');
    const claims = await verifiedClaims(presented.assertion, keys, algorithms);
    checkClaims(claims, client, context);
    await checkLifetimeAndReplay(claims, client, context);
  } catch (error) {
    if (isOAuthError(error)) throw error;
    throw authenticationFailed('assertion_invalid', `client assertion: ${(error as Error).message ?? String(error)}`);
  }
}

/** RFC 7515 section 5.2: the header, the alg, a key of the client, the signature. */
async function verifiedClaims(assertion: string, keysOf: AssertionKeys, algorithms: readonly string[]): Promise<Readonly<Record<string, unknown>>> {
  const { header, claims, parts } = decodeAssertion(assertion);
  if ('problem' in header) throw new AssertionProblem(header.problem);
  if (!parts) throw new AssertionProblem('not a compact JWS with 3 parts');
  const alg = header.value.alg;
  if (typeof alg !== 'string' || !algorithms.includes(alg)) throw new AssertionProblem(`alg ${JSON.stringify(alg ?? null)} is not allowed`);
  // RFC 7515 section 4.1.11: extensions we do not understand make the JWS invalid; we understand none.
  if (header.value.crit !== undefined) throw new AssertionProblem('the header lists critical extensions (crit) this server does not support');
  if ('problem' in claims) throw new AssertionProblem(claims.problem);
  const keys = await keysOf(header.value as JoseHeader, parts);
  if (keys.length === 0) throw new AssertionProblem('the client has no key for this assertion');
  // RFC 7515 section 5.2 step 8: the signing input is the assertion as sent up to its second dot.
  const signingInput = Buffer.from(assertion.slice(0, parts.protected.length + 1 + parts.payload.length), 'latin1');
  const signature = Buffer.from(parts.signature, 'base64url');
  for (const key of keys) {
    if (await signatureVerifies(alg, key, signingInput, signature)) return claims.value;
  }
  throw new AssertionProblem('signature verification failed');
}

/**
 * RFC 7523 section 3: iss and sub are the client (items 1, 2), aud names us (item 3), exp
 * (item 4) and jti are present; exp not passed, nbf reached (item 5), within the skew.
 */
function checkClaims(claims: Readonly<Record<string, unknown>>, client: ClientCredentialsConfig, context: MethodContext): void {
  for (const claim of REQUIRED_CLAIMS) if (!Object.hasOwn(claims, claim)) throw new AssertionProblem(`missing required "${claim}" claim`);
  if (claims.iss !== client.client_id) throw new AssertionProblem('unexpected "iss" claim value');
  if (claims.sub !== client.client_id) throw new AssertionProblem('unexpected "sub" claim value');
  if (!namesUs(claims.aud, context)) throw new AssertionProblem('unexpected "aud" claim value');
  const { clockSkew } = client.assertionRules ?? DEFAULT_ASSERTION_RULES;
  const now = Math.floor(context.now());
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (claims[claim] !== undefined && typeof claims[claim] !== 'number') throw new AssertionProblem(`"${claim}" claim must be a number`);
  }
  if (claims.nbf !== undefined && (claims.nbf as number) > now + clockSkew) throw new AssertionProblem('"nbf" claim timestamp check failed');
  if ((claims.exp as number) <= now - clockSkew) throw new AssertionProblem('"exp" claim timestamp check failed');
}

const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'jti', 'exp'] as const;

/** The token endpoint URL or the issuer, as aud or one of its members (RFC 7523 section 3, item 3). */
function namesUs(aud: unknown, context: MethodContext): boolean {
  const ours = (value: unknown) => value === context.tokenEndpoint || value === context.issuer;
  return Array.isArray(aud) ? aud.some(ours) : typeof aud === 'string' && ours(aud);
}

/**
 * Assertions one client may present per lifetime window (default 5 min): machine clients
 * fetch a token every few minutes, so this is far above need (about 7 a second) and keeps
 * any one client to a small share of the store's 100,000 entries.
 */
const ASSERTIONS_PER_CLIENT_WINDOW = 2000;

async function checkLifetimeAndReplay(payload: Readonly<Record<string, unknown>>, client: ClientCredentialsConfig, context: MethodContext): Promise<void> {
  const { maxLifetime, clockSkew } = client.assertionRules ?? DEFAULT_ASSERTION_RULES;
  const now = context.now();
  const exp = payload.exp as number;
  const issued = typeof payload.iat === 'number' ? payload.iat : now;
  // Both: a far-future iat must not stretch a far-future exp past the bound.
  if (exp - issued > maxLifetime || exp - now > maxLifetime + clockSkew) {
    throw new AssertionProblem(`lives longer than ${maxLifetime} s (exp - iat)`);
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new AssertionProblem(`jti must be a string of 1..${MAX_JTI_LENGTH} characters`);
  if (issued > now + clockSkew) throw new AssertionProblem('iat is in the future');
  // One client's flood must not fill the replay store for all (attack review M2).
  await chargeClientQuota(context.store, client.client_id, {
    kind: 'assertion',
    limit: ASSERTIONS_PER_CLIENT_WINDOW,
    windowSeconds: maxLifetime + clockSkew,
    refusal: 'too many client assertions from this client; retry later',
    retryAfterSeconds: maxLifetime,
  });
  // Hashed: bounded keys whatever the client sends, and no client data as a store key. One
  // update of the joined text hashes the same bytes as one per part did: the same keys.
  const key = 'assertion:' + createHash('sha256').update(`${client.client_id}\0${jti}`).digest('base64url');
  // Kept while the assertion is accepted: checkClaims compares whole seconds, so one with a
  // fractional exp passes until the whole second after exp + skew, not only until exp + skew.
  const fresh = await context.store.putIfAbsent(key, Math.ceil(Math.ceil(exp + clockSkew) - now));
  if (!fresh) throw new AssertionProblem('jti already used (a replay)');
}
