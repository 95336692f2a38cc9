/** client_secret_post: client_id and client_secret in the form body (RFC 6749 section 2.3.1). */
import { InvalidClient } from '../../errors.js';
import { secretProvesAtOnce, secretRegistrationProblem, verifyPresentedSecret } from './secret.js';
import type { ClientAuthMethod, CredentialSource, PresentedCredentials } from './types.js';

export const clientSecretPost: ClientAuthMethod = {
  name: 'client_secret_post',
  description: 'client_id and client_secret in the request body (RFC 6749 section 2.3.1).',
  credentialParams: ['client_secret'],
  isPresented: (source: CredentialSource) => source.params.has('client_secret'),
  extract(source: CredentialSource): PresentedCredentials {
    const id = source.params.get('client_id');
    if (!id) throw InvalidClient('client_secret without client_id');
    return { method: 'client_secret_post', client_id: id, secret: source.params.get('client_secret')! };
  },
  registrationProblem: secretRegistrationProblem,
  verify: verifyPresentedSecret,
  provesAtOnce: secretProvesAtOnce,
};
