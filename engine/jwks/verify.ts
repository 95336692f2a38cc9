/**
 * jwtVerify against a key set, trying every key that fits a header without `kid`: jose's
 * key sets answer "several keys match" (two RSA keys during a rotation, say) and leave
 * trying each to the caller. For trusted issuers' tokens; client assertions verify with
 * node:crypto (client-auth/assertion/signature.ts) on the KeyObjects of key-objects.ts.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, type KeyObject } from 'jose';

export type VerificationKey = JWTVerifyGetKey | KeyObject | Uint8Array;

/** A wrong signature may mean a wrong key of several; any other failure is final. */
export const isWrongSignature = (error: unknown): boolean => (error as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';

export async function jwtVerifyWithKeySet(token: string, key: VerificationKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, key as JWTVerifyGetKey, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    let lastError: unknown = error;
    for await (const candidate of error as unknown as AsyncIterable<Parameters<typeof jwtVerify>[1] & object>) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (candidateError) {
        lastError = candidateError;
        if (!isWrongSignature(candidateError)) throw candidateError;
      }
    }
    throw lastError;
  }
}
