/** client_secret_basic: HTTP Basic with the form-encoded id and secret (RFC 6749 section 2.3.1). */
import { InvalidClient, InvalidRequest } from '../../errors.js';
import { secretProvesAtOnce, secretRegistrationProblem, verifyPresentedSecret } from './secret.js';
import type { ClientAuthMethod, CredentialSource, PresentedCredentials } from './types.js';

/** Form-decode, or keep as is when it is not valid percent-encoding (curl sends raw). */
function formDecodeOrRaw(text: string): string {
  // Nothing encoded (the usual id and secret): nothing to decode.
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/**
 * Which reading of a Basic secret to derive a key from: one derivation per request, not
 * one per reading. A client that form-encodes writes %XX for reserved characters; one that
 * does not (curl -u) sends them raw. A `+` alone is far more often a literal `+` (base64)
 * than an encoded space. Both readings are still compared against plain secrets and the
 * cache, where it costs nothing.
 */
export function secretReadings(raw: string): { secret: string; alternateSecret?: string } {
  const decoded = formDecodeOrRaw(raw);
  if (decoded === raw) return { secret: raw };
  return /%[0-9A-Fa-f]{2}/.test(raw) ? { secret: decoded, alternateSecret: raw } : { secret: raw, alternateSecret: decoded };
}

const BASIC = /^Basic [A-Za-z0-9+/]+=*$/i;
const BASIC_PREFIX_LENGTH = 'Basic '.length;

export const clientSecretBasic: ClientAuthMethod = {
  name: 'client_secret_basic',
  description: 'HTTP Basic authentication with client_id and client_secret (RFC 6749 section 2.3.1).',
  credentialParams: [],
  isPresented: (source: CredentialSource) => source.authorization !== undefined,
  extract(source: CredentialSource): PresentedCredentials {
    const header = (source.authorization ?? '').trim();
    // test, not exec: no match array; the credentials are what follows `Basic `.
    if (!BASIC.test(header)) throw InvalidClient('malformed Authorization header: expected Basic credentials');
    const decoded = Buffer.from(header.slice(BASIC_PREFIX_LENGTH), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw InvalidClient('malformed Basic credentials');
    const id = formDecodeOrRaw(decoded.slice(0, colon));
    if (!id) throw InvalidClient('empty client_id in Basic credentials');
    const bodyId = source.params.get('client_id');
    if (bodyId !== undefined && bodyId !== id) throw InvalidRequest('client_id in the body differs from the Authorization header');
    const { secret, alternateSecret } = secretReadings(decoded.slice(colon + 1));
    // A literal, not a spread (see engine/merge.ts); an alternate reading only when there is one.
    return alternateSecret === undefined
      ? { method: 'client_secret_basic', client_id: id, secret }
      : { method: 'client_secret_basic', client_id: id, secret, alternateSecret };
  },
  registrationProblem: secretRegistrationProblem,
  verify: verifyPresentedSecret,
  provesAtOnce: secretProvesAtOnce,
};
