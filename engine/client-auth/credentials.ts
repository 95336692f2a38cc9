/**
 * Find the client's credentials in a request (RFC 6749 section 2.3): whichever method's
 * credentials are present. More than one method at once is invalid_request (section
 * 2.3: "MUST NOT use more than one authentication method in each request").
 */
import { InvalidClient, InvalidRequest } from '../errors.js';
import { AUTH_METHODS, type CredentialSource, type PresentedCredentials } from './methods/index.js';

/** Parameters that carry credentials: never logged, never visible to templates. */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set(AUTH_METHODS.flatMap((m) => m.credentialParams));

export function extractCredentials(source: CredentialSource): PresentedCredentials {
  // The one method presented, found without a list made; two or more are listed to say so.
  let method: (typeof AUTH_METHODS)[number] | undefined;
  for (const m of AUTH_METHODS) {
    if (!m.isPresented(source)) continue;
    if (method) {
      const presented = AUTH_METHODS.filter((other) => other.isPresented(source));
      throw InvalidRequest(`more than one client authentication method (${presented.map((other) => other.name).join(', ')})`);
    }
    method = m;
  }
  if (method) return method.extract(source);
  const id = source.params.get('client_id');
  if (!id) throw InvalidClient('client authentication required: send client credentials, or the client_id of a public client');
  return { method: 'none', client_id: id };
}
