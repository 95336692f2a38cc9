/**
 * What `check` says about a config item that names verification keys (a trusted issuer;
 * an RP with private_key_jwt): exactly one of `jwks` and `jwks_uri`, and a `jwks_uri` that
 * cannot be tampered with on the way: https, or http only to this machine (loopback).
 */
import type { ConfigPath } from '../errors.js';
import { jwksUriProblem } from './uri.js';

export interface KeySourceProblem {
  readonly message: string;
  readonly path: ConfigPath;
}

export function keySourceProblem(item: { jwks?: unknown; jwks_uri?: string | undefined }): KeySourceProblem | undefined {
  if (item.jwks !== undefined && item.jwks_uri !== undefined) return { message: 'give jwks or jwks_uri, not both', path: ['jwks'] };
  if (item.jwks === undefined && item.jwks_uri === undefined) return { message: 'needs jwks or jwks_uri (its public keys)', path: [] };
  if (item.jwks_uri !== undefined) {
    const problem = jwksUriProblem(item.jwks_uri);
    if (problem) return { message: `jwks_uri ${problem}: keys fetched in clear could be replaced on the way`, path: ['jwks_uri'] };
  }
  return undefined;
}
