/** Verify tokens the way a resource server would: jose against the served JWKS. */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

export async function verifyToken(url: string, token: string, options: { audience?: string | string[]; issuer?: string } = {}): Promise<{ payload: JWTPayload; header: Record<string, unknown> }> {
  const jwks = createRemoteJWKSet(new URL(`${url}/jwks`));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { typ: 'at+jwt', ...options });
  return { payload, header: protectedHeader as Record<string, unknown> };
}

export function header(token: string): Record<string, unknown> {
  return decodeProtectedHeader(token) as Record<string, unknown>;
}
