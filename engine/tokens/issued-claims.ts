/**
 * The claims every access token of ours stands for, whether signed into a JWT (CreateJwt)
 * or kept in the store behind an opaque token (CreateOpaqueToken): iss, sub, aud (the
 * granted audiences, else the issuer), exp, iat, jti, client_id and scope, then
 * flow.claims over them. One place, so that introspection answers the same for both.
 */
import type { Flow } from '../flow.js';
import { merged } from '../merge.js';
import { newJti } from './jti.js';

export function issuedClaims(issuer: string, flow: Flow, now: number, ttlSeconds: number): Record<string, unknown> {
  const { grant, client } = flow;
  const audience = grant.audience.length === 0 ? issuer : grant.audience.length === 1 ? grant.audience[0] : [...grant.audience];
  // A plain literal filled in place, not spreads (engine/merge.ts): the same keys, in the same order.
  const claims: Record<string, unknown> = {
    iss: issuer,
    sub: client.client_id,
    aud: audience,
    exp: now + ttlSeconds,
    iat: now,
    jti: newJti(),
    client_id: client.client_id,
  };
  if (grant.scope.length) claims.scope = grant.scope.join(' ');
  return merged(claims, flow.claims);
}
