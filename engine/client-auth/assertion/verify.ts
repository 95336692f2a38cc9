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
 */
import { createHash } from 'node:crypto';
import { chargeClientQuota } from '../../store/client-quota.js';
import type { JWTPayload, JWTVerifyOptions } from 'jose';
import { isWrongSignature, jwtVerifyWithKeySet, type VerificationKey } from '../../jwks/verify.js';
import { isOAuthError } from '../../errors.js';
import { authenticationFailed } from '../failure.js';
import type { ClientCredentialsConfig } from '../authenticate.js';
import type { MethodContext, PresentedCredentials } from '../methods/types.js';
import { JWT_BEARER_ASSERTION_TYPE } from './presented.js';

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

export type AssertionKey = VerificationKey;

class AssertionProblem extends Error {}

/**
 * Verify with the first of `keys` that verifies the signature (several for a client with
 * more than one secret), then the claims, then the replay store.
 */
export async function verifyAssertion(presented: PresentedCredentials, client: ClientCredentialsConfig, context: MethodContext, keys: readonly AssertionKey[], algorithms: readonly string[]): Promise<void> {
  try {
    if (presented.assertionType !== JWT_BEARER_ASSERTION_TYPE) throw new AssertionProblem(`client_assertion_type is not ${JWT_BEARER_ASSERTION_TYPE}`);
    if (!presented.assertion) throw new AssertionProblem('no client_assertion');
    const payload = await verifiedPayload(presented.assertion, client, context, keys, algorithms);
    await checkLifetimeAndReplay(payload, client, context);
  } catch (error) {
    if (isOAuthError(error)) throw error;
    throw authenticationFailed('assertion_invalid', `client assertion: ${(error as Error).message ?? String(error)}`);
  }
}

async function verifiedPayload(assertion: string, client: ClientCredentialsConfig, context: MethodContext, keys: readonly AssertionKey[], algorithms: readonly string[]): Promise<JWTPayload> {
  if (keys.length === 0) throw new AssertionProblem('the client has no key for this assertion');
  const rules = client.assertionRules ?? DEFAULT_ASSERTION_RULES;
  let lastError: unknown;
  const options: JWTVerifyOptions = {
    algorithms: [...algorithms],
    issuer: client.client_id,
    subject: client.client_id,
    audience: [context.tokenEndpoint, context.issuer],
    clockTolerance: rules.clockSkew,
    currentDate: new Date(context.now() * 1000),
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
  };
  for (const key of keys) {
    try {
      return await jwtVerifyWithKeySet(assertion, key, options);
    } catch (error) {
      lastError = error;
      if (!isWrongSignature(error)) throw error;
    }
  }
  throw lastError;
}

/**
 * Assertions one client may present per lifetime window (default 5 min): machine clients
 * fetch a token every few minutes, so this is far above need (about 7 a second) and keeps
 * any one client to a small share of the store's 100,000 entries.
 */
const ASSERTIONS_PER_CLIENT_WINDOW = 2000;

async function checkLifetimeAndReplay(payload: JWTPayload, client: ClientCredentialsConfig, context: MethodContext): Promise<void> {
  const { maxLifetime, clockSkew } = client.assertionRules ?? DEFAULT_ASSERTION_RULES;
  const now = context.now();
  const exp = payload.exp!;
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
  // Hashed: bounded keys whatever the client sends, and no client data as a store key.
  const key = 'assertion:' + createHash('sha256').update(client.client_id).update('\0').update(jti).digest('base64url');
  const fresh = await context.store.putIfAbsent(key, Math.ceil(exp - now + clockSkew));
  if (!fresh) throw new AssertionProblem('jti already used (a replay)');
}
