/**
 * The grant types the token endpoint knows. A client reaches a pipe per grant type; a
 * grant type added later (RFC 7523 jwt-bearer) is one more entry here plus the RP field
 * that binds it to a pipe.
 */
import type { RpConfig } from './config/types.js';

export interface GrantType {
  readonly type: string;
  /** The pipe id an RP binds to this grant, if any. */
  pipeIdOf(rp: RpConfig): string | undefined;
}

export const GRANT_TYPES: ReadonlyMap<string, GrantType> = new Map([
  ['client_credentials', { type: 'client_credentials', pipeIdOf: (rp: RpConfig) => rp.client_credentials_pipe_id }],
]);
