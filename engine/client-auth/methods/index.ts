/**
 * The client authentication methods this server supports, in the order discovery lists
 * them. Everything that names methods (the config schema's enum, discovery, `check`, the
 * README table) is derived from this list;
 */
import { clientSecretBasic } from './client-secret-basic.js';
import { clientSecretJwt } from './client-secret-jwt.js';
import { clientSecretPost } from './client-secret-post.js';
import { none } from './none.js';
import { privateKeyJwt } from './private-key-jwt.js';
import type { ClientAuthMethod } from './types.js';

export const AUTH_METHODS: readonly ClientAuthMethod[] = [clientSecretBasic, clientSecretPost, privateKeyJwt, clientSecretJwt, none];

export const AUTH_METHOD_NAMES: readonly string[] = AUTH_METHODS.map((m) => m.name);

/** Every alg some method's assertions may use, in list order, once each. */
export const ASSERTION_SIGNING_ALGS: readonly string[] = [...new Set(AUTH_METHODS.flatMap((m) => m.signingAlgs ?? []))];

export function authMethod(name: string): ClientAuthMethod | undefined {
  return AUTH_METHODS.find((m) => m.name === name);
}

export type { ClientAuthMethod, CredentialSource, PresentedCredentials } from './types.js';
