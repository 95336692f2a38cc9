/**
 * The grant types the token endpoint knows: the one list that the config schema (the RP
 * fields binding grants to pipes), discovery's grant_types_supported and `check` derive
 * from.
 */
import { clientCredentials } from './client-credentials.js';
import type { GrantType } from './types.js';

export const GRANT_TYPES: ReadonlyMap<string, GrantType> = new Map([clientCredentials].map((g) => [g.type, g]));

/** The pipe id an RP binds to a grant, if any. */
export function pipeIdOf(rp: object, grant: GrantType): string | undefined {
  const id = (rp as Record<string, unknown>)[grant.pipeField];
  return typeof id === 'string' ? id : undefined;
}

export type { GrantParameters, GrantType } from './types.js';
