/**
 * private_key_jwt (RFC 7523 section 2.2, OpenID Connect Core section 9): the client signs
 * a short-lived JWT with its private key; we verify it with the public keys it registered
 * (`jwks`, `jwks_uri`) or with one of its X.509 `certificates`, named by thumbprint.
 */
import { keyObjectsFor } from '../../jwks/key-objects.js';
import { PRIVATE_KEY_JWT_ALGS } from '../assertion/algs.js';
import { certificateFor, namesCertificate } from '../assertion/certificates.js';
import { ASSERTION_PARAMS, claimsHmac, extractAssertion, presentsAssertion } from '../assertion/presented.js';
import { verifyAssertion, type AssertionKeys } from '../assertion/verify.js';
import type { ClientCredentialsConfig } from '../authenticate.js';
import type { ClientAuthMethod, CredentialSource, MethodContext, PresentedCredentials, RegisteredCredentials } from './types.js';

/**
 * The key for an assertion's header: the certificate it names by thumbprint (valid now),
 * else the client's key set by `kid`. A certificate outside its validity period fails
 * the assertion; it does not fall back to the key set.
 */
function keysOf(client: ClientCredentialsConfig, context: MethodContext): AssertionKeys {
  return (header, parts) => {
    const certificates = client.certificates ?? [];
    const cert = certificates.length === 0 ? undefined : certificateFor(header, certificates);
    if (cert) {
      const now = context.now() * 1000;
      if (now < cert.notBefore) throw new Error(`certificate ${cert.x5tS256} is not valid yet`);
      if (now > cert.notAfter) throw new Error(`certificate ${cert.x5tS256} has expired`);
      return [cert.publicKey];
    }
    // Some libraries add x5t beside the kid of a JWK that carries x5c: then the key set decides.
    if (!client.keySet) {
      throw new Error(namesCertificate(header) ? 'the header names a certificate the client has not registered' : 'no registered certificate matches the header (x5t#S256, x5t or kid)');
    }
    return keyObjectsFor(client.keySet.getKey, header, parts);
  };
}

export const privateKeyJwt: ClientAuthMethod = {
  name: 'private_key_jwt',
  description: 'A JWT signed with the client\'s private key (RFC 7523 section 2.2); keys from jwks, jwks_uri or X.509 certificates.',
  credentialParams: ASSERTION_PARAMS,
  signingAlgs: PRIVATE_KEY_JWT_ALGS,
  // Every assertion that does not claim HMAC is ours, garbage included: it then fails
  // verification with the same answer as any other bad credential.
  isPresented: (source: CredentialSource) => presentsAssertion(source) && !claimsHmac(source),
  extract: (source: CredentialSource): PresentedCredentials => extractAssertion(source, 'private_key_jwt'),
  registrationProblem(rp: RegisteredCredentials): string | undefined {
    if (rp.jwks !== undefined && rp.jwks_uri !== undefined) return 'give jwks or jwks_uri, not both';
    if (rp.jwks === undefined && rp.jwks_uri === undefined && (rp.certificates ?? []).length === 0) return 'needs jwks, jwks_uri or certificates';
    return undefined;
  },
  verify(presented: PresentedCredentials, client: ClientCredentialsConfig, context: MethodContext): Promise<void> {
    return verifyAssertion(presented, client, context, keysOf(client, context), PRIVATE_KEY_JWT_ALGS);
  },
};
