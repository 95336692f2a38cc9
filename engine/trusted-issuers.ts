/**
 * Trusted issuers: identity providers whose JWTs we accept as grants (RFC 7523 section
 * 2.1 assertions, RFC 8693 subject tokens). A token is checked against the issuer its
 * `iss` names: signature by `kid` from that issuer's keys (one refetch on an unknown kid,
 * see engine/jwks), `iss`, `aud`, `exp`/`nbf` with the issuer's clock skew, and the
 * algorithms it may use. Every failure is invalid_grant (RFC 7523 section 3.1), the
 * reason in the log only.
 */
import { decodeJwt, errors as joseErrors, type JSONWebKeySet } from 'jose';
import { InvalidGrant, OAuthError } from './errors.js';
import type { VerifiedAssertion } from './flow.js';
import { createKeySet, jwtVerifyWithKeySet, type KeySet } from './jwks/key-set.js';
import type { SigningAlg } from './keystores/types.js';

export interface TrustedIssuerConfig {
  id: string;
  issuer: string;
  jwks_uri?: string;
  jwks?: JSONWebKeySet;
  audiences: string[];
  algorithms: SigningAlg[];
  /** Seconds of clock difference tolerated on exp, nbf and iat. */
  clock_skew: number;
}

export interface TrustedIssuer {
  readonly id: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly SigningAlg[];
  readonly clockSkew: number;
  readonly keys: KeySet;
}

export function buildTrustedIssuer(config: TrustedIssuerConfig): TrustedIssuer {
  return {
    id: config.id,
    issuer: config.issuer,
    audiences: [...config.audiences],
    algorithms: [...config.algorithms],
    clockSkew: config.clock_skew,
    keys: createKeySet({ jwks: config.jwks, jwks_uri: config.jwks_uri }),
  };
}

const invalid = (detail: string) => InvalidGrant('the grant token is not valid', { detail });

/**
 * Verify `token` against whichever of `issuers` its `iss` names. `now` in seconds.
 * Throws invalid_grant.
 */
export async function verifyIncomingToken(token: string | undefined, issuers: readonly TrustedIssuer[], now: number): Promise<VerifiedAssertion> {
  if (!token) throw invalid('no grant token in the request');
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw invalid('the grant token is not a JWT');
  }
  const issuer = issuers.find((i) => i.issuer === iss);
  if (!issuer) throw invalid(`the grant token's iss is not a trusted issuer here: ${JSON.stringify(String(iss).slice(0, 100))}`);
  try {
    const payload = await jwtVerifyWithKeySet(token, issuer.keys.getKey, {
      issuer: issuer.issuer,
      audience: [...issuer.audiences],
      algorithms: [...issuer.algorithms],
      clockTolerance: issuer.clockSkew,
      currentDate: new Date(now * 1000),
      requiredClaims: ['exp'],
    });
    return { issuer: issuer.id, claims: payload };
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    const code = error instanceof joseErrors.JOSEError ? error.code : 'ERR_UNEXPECTED';
    throw invalid(`${issuer.id}: ${code}: ${(error as Error).message}`);
  }
}
