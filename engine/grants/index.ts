/**
 * The grant types the token endpoint knows: the one list that the config schema (the RP
 * fields binding grants to pipes), discovery's grant_types_supported and `check` derive
 * from.
 */
import { clientCredentials } from './client-credentials.js';
import { jwtBearer } from './jwt-bearer.js';
import { tokenExchange } from './token-exchange.js';
import type { GrantType } from './types.js';

export const GRANT_TYPES: ReadonlyMap<string, GrantType> = new Map([clientCredentials, jwtBearer, tokenExchange].map((g) => [g.type, g]));

/** Parameters of any grant that carry a token: never logged, never visible to templates. */
export const GRANT_SECRET_PARAMS: ReadonlySet<string> = new Set([...GRANT_TYPES.values()].flatMap((g) => g.secretParams));

/**
 * The pipe id an RP binds to a grant, if any: `grant_pipes[type]`, else the grant's own
 * RP field (client_credentials_pipe_id).
 */
export function pipeIdOf(rp: object, grant: GrantType): string | undefined {
  const record = rp as Record<string, unknown>;
  const byType = record.grant_pipes as Record<string, unknown> | undefined;
  const id = (byType && Object.hasOwn(byType, grant.type) ? byType[grant.type] : undefined) ?? (grant.pipeField ? record[grant.pipeField] : undefined);
  return typeof id === 'string' ? id : undefined;
}

/** Where an RP binds `grant` (for messages and YAML positions). */
export function pipeFieldPath(rp: object, grant: GrantType): Array<string> {
  const byType = (rp as Record<string, unknown>).grant_pipes as Record<string, unknown> | undefined;
  return byType && Object.hasOwn(byType, grant.type) ? ['grant_pipes', grant.type] : [grant.pipeField ?? 'grant_pipes'];
}

export type { GrantParameters, GrantType } from './types.js';
