/**
 * The client authentication methods this server supports, in the order discovery lists
 * them. Everything that names methods (the config schema's enum, discovery, `check`, the
 * README table) is derived from this list; RFC 7523's methods are added here.
 */
import { clientSecretBasic } from './client-secret-basic.js';
import { clientSecretPost } from './client-secret-post.js';
import { none } from './none.js';
import type { ClientAuthMethod } from './types.js';

export const AUTH_METHODS: readonly ClientAuthMethod[] = [clientSecretBasic, clientSecretPost, none];

export const AUTH_METHOD_NAMES: readonly string[] = AUTH_METHODS.map((m) => m.name);

export function authMethod(name: string): ClientAuthMethod | undefined {
  return AUTH_METHODS.find((m) => m.name === name);
}

export type { ClientAuthMethod, CredentialSource, PresentedCredentials } from './types.js';
