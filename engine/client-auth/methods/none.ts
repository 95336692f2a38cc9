/**
 * none: a public client (RFC 6749 section 2.1), named by client_id and not authenticated.
 * It may use only grants whose token a trusted issuer signed (JWT-bearer, token
 * exchange; `check` refuses others), and the engine issues nothing unless a pipe verified
 * that token. It never verifies: a request that presents credentials for it fails.
 */
import { authenticationFailed } from '../failure.js';
import type { ClientAuthMethod, PresentedCredentials } from './types.js';

export const none: ClientAuthMethod = {
  name: 'none',
  description: 'A public client: no client authentication; only grants proven by a trusted issuer\'s token.',
  credentialParams: [],
  // The request that carries only a client_id is the fallback of extractCredentials.
  isPresented: () => false,
  extract: (): PresentedCredentials => {
    throw authenticationFailed('credentials_missing', 'none has no credentials to extract');
  },
  registrationProblem: () => undefined,
  verify: async () => {
    throw authenticationFailed('public_client', 'the client is public (none): it is proven only by a trusted issuer\'s token');
  },
};
