/**
 * client_secret_jwt (RFC 7523 section 2.2, OpenID Connect Core section 9): a JWT with an
 * HMAC (HS256/384/512) keyed by the client's secret. The secret must be held in plain
 * (an HMAC cannot be checked against a hash) and be at least as long as the hash output
 * (RFC 7518 section 3.2).
 */
import { CLIENT_SECRET_JWT_ALGS, HMAC_MIN_BYTES } from '../assertion/algs.js';
import { ASSERTION_PARAMS, claimsHmac, extractAssertion, presentsAssertion } from '../assertion/presented.js';
import { verifyAssertion, type AssertionKeys } from '../assertion/verify.js';
import type { ClientCredentialsConfig } from '../authenticate.js';
import type { ClientAuthMethod, CredentialSource, MethodContext, PresentedCredentials, RegisteredCredentials } from './types.js';

const MIN_BYTES = Math.min(...Object.values(HMAC_MIN_BYTES));

/** The client's plain secrets long enough for the assertion's alg, as HMAC keys. */
function keysOf(client: ClientCredentialsConfig, now: number): AssertionKeys {
  return (header) => {
    const min = HMAC_MIN_BYTES[header.alg] ?? Infinity;
    return client.secrets
      // A rotated-out secret (past its not_after) keys nothing, here as for the secret methods.
      .filter((s) => s.notAfter === undefined || now < s.notAfter)
      .flatMap((s) => (s.kind === 'plain' ? [Buffer.from(s.value, 'utf8')] : []))
      .filter((key) => key.length >= min);
  };
}

export const clientSecretJwt: ClientAuthMethod = {
  name: 'client_secret_jwt',
  description: 'A JWT with an HMAC keyed by the client\'s plain client_secret (RFC 7523 section 2.2).',
  credentialParams: ASSERTION_PARAMS,
  signingAlgs: CLIENT_SECRET_JWT_ALGS,
  isPresented: (source: CredentialSource) => presentsAssertion(source) && claimsHmac(source),
  extract: (source: CredentialSource): PresentedCredentials => extractAssertion(source, 'client_secret_jwt'),
  registrationProblem(rp: RegisteredCredentials): string | undefined {
    // client_secret, or the plain entries of client_secrets (so it can rotate too).
    const plain = [rp.client_secret, ...(rp.client_secrets ?? []).map((e) => (e as { secret?: unknown } | null)?.secret)].filter((v): v is string => typeof v === 'string');
    if (plain.length === 0) return 'needs its secret in plain (client_secret, or secret: entries of client_secrets): an HMAC cannot be checked against a hash; use ${env.NAME} or ${file.PATH}';
    if (plain.some((secret) => Buffer.byteLength(secret, 'utf8') < MIN_BYTES)) return `needs secrets of at least ${MIN_BYTES} bytes for HS256 (RFC 7518 section 3.2)`;
    return undefined;
  },
  verify(presented: PresentedCredentials, client: ClientCredentialsConfig, context: MethodContext): Promise<void> {
    return verifyAssertion(presented, client, context, keysOf(client, context.now()), CLIENT_SECRET_JWT_ALGS);
  },
};
