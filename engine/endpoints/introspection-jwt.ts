/**
 * JWT responses from introspection (RFC 9701): the RFC 7662 answer under the
 * `token_introspection` claim, signed so that a resource server can rely on it beyond TLS.
 *
 * The signer is the first published keystore of the config: its key is in /jwks, so the
 * caller verifies the response as it verifies our tokens. With no published keystore, no
 * one could verify a signed answer: discovery then lists no introspection signing alg and
 * the endpoint answers plain JSON.
 */
import type { Engine } from '../engine.js';
import type { Keystore } from '../keystores/types.js';
import { INTROSPECTION_JWT_TYPE } from '../tokens/access-token.js';

export const INTROSPECTION_JWT_MEDIA_TYPE = `application/${INTROSPECTION_JWT_TYPE}`;

export function introspectionSigner(engine: Engine): Keystore | undefined {
  return [...engine.keystores.values()].find((k) => k.publish);
}

/** RFC 9701 section 5: iss, aud (the caller), iat and token_introspection; typ in the header. */
export async function signIntrospection(engine: Engine, callerId: string, introspection: Record<string, unknown>): Promise<string> {
  const signer = introspectionSigner(engine)!;
  const payload = {
    iss: engine.issuer,
    aud: callerId,
    iat: Math.floor(engine.verifyContext.now()),
    token_introspection: introspection,
  };
  return signer.sign(payload, { typ: INTROSPECTION_JWT_TYPE });
}
