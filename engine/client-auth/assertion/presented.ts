/**
 * Finding a client assertion in a request (RFC 7523 section 2.2): `client_assertion_type`
 * and `client_assertion`, with `client_id` optional (section 3.1: the assertion's `sub`
 * names the client). Nothing here throws: a malformed assertion is presented as it is and
 * fails verification like any other bad credential, with the same answer.
 */
import type { CredentialSource, PresentedCredentials } from '../methods/types.js';
import { isHmacAlg } from './algs.js';
import { decodeAssertion } from './decoded.js';

export const ASSERTION_PARAMS: readonly string[] = ['client_assertion', 'client_assertion_type'];

/** RFC 7523 section 2.2. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function presentsAssertion(source: CredentialSource): boolean {
  return ASSERTION_PARAMS.some((p) => source.params.has(p));
}

/**
 * Whether the assertion claims an HMAC alg (client_secret_jwt) rather than a signature
 * (private_key_jwt). The header only routes the request to a method; the client must be
 * registered for that method, so a private_key_jwt client's assertion with alg HS256
 * fails as a method mismatch before any key is looked at.
 */
export function claimsHmac(source: CredentialSource): boolean {
  const { header } = decodeAssertion(source.params.get('client_assertion') ?? '');
  return 'value' in header && isHmacAlg(header.value.alg);
}

export function extractAssertion(source: CredentialSource, method: string): PresentedCredentials {
  const assertion = source.params.get('client_assertion') ?? '';
  const assertionType = source.params.get('client_assertion_type') ?? '';
  const client_id = source.params.get('client_id') ?? unverifiedSubject(assertion) ?? '';
  return { method, client_id, assertion, assertionType };
}

/** Only to look the client up; everything is verified afterwards. */
function unverifiedSubject(assertion: string): string | undefined {
  const { claims } = decodeAssertion(assertion);
  return 'value' in claims && typeof claims.value.sub === 'string' ? claims.value.sub : undefined;
}
