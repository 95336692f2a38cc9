/**
 * The grant types the token endpoint knows. A client reaches a pipe per grant type; a
 * grant type added later (RFC 7523 jwt-bearer) is one more entry here plus the RP field
 * that binds it to a pipe.
 */
import type { RpConfig } from './config/types.js';

export interface GrantType {
  readonly type: string;
  /** The RP field that binds this grant to a pipe. */
  readonly pipeField: keyof RpConfig & string;
}

export const GRANT_TYPES: ReadonlyMap<string, GrantType> = new Map([
  ['client_credentials', { type: 'client_credentials', pipeField: 'client_credentials_pipe_id' }],
]);

/** The pipe id an RP binds to a grant, if any. */
export function pipeIdOf(rp: RpConfig, grant: GrantType): string | undefined {
  const id = rp[grant.pipeField];
  return typeof id === 'string' ? id : undefined;
}
