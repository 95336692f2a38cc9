/**
 * Pull the client's credentials out of a token request (RFC 6749 §2.3.1): HTTP Basic or
 * client_id/client_secret in the body. More than one method at once is invalid_request.
 */
import { InvalidClient, InvalidRequest } from '../errors.js';

export interface PresentedCredentials {
  /** The method the request used; 'none' when it carried only a client_id. */
  readonly method: 'client_secret_basic' | 'client_secret_post' | 'none';
  readonly client_id: string;
  readonly secret?: string;
  /**
   * The Basic secret exactly as sent, when it differs from the form-decoded one: curl -u
   * and many libraries do not form-encode (RFC 6749 §2.3.1 says to), so either may match.
   */
  readonly rawSecret?: string;
}

/** Parameters that carry credentials: never logged, never visible to templates. */
export const CREDENTIAL_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding. */
function formDecode(text: string): string {
  return decodeURIComponent(text.replaceAll('+', ' '));
}

/** Form-decode, or keep as is when it is not valid percent-encoding (curl sends raw). */
function formDecodeOrRaw(text: string): string {
  try {
    return formDecode(text);
  } catch {
    return text;
  }
}

function parseBasic(header: string): { id: string; secret: string; rawSecret?: string } {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
  if (!match) throw InvalidClient('malformed Authorization header: expected Basic credentials');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw InvalidClient('malformed Basic credentials');
  const raw = decoded.slice(colon + 1);
  const secret = formDecodeOrRaw(raw);
  return { id: formDecodeOrRaw(decoded.slice(0, colon)), secret, ...(raw !== secret ? { rawSecret: raw } : {}) };
}

export function extractCredentials(params: ReadonlyMap<string, string>, authorization: string | undefined): PresentedCredentials {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (params.has('client_assertion') || params.has('client_assertion_type')) {
    if (authorization !== undefined || bodySecret !== undefined) throw InvalidRequest('more than one client authentication method');
    throw InvalidClient('client assertions (private_key_jwt, client_secret_jwt) are not supported by this server');
  }
  if (authorization !== undefined) {
    if (bodySecret !== undefined) throw InvalidRequest('more than one client authentication method (Authorization header and client_secret)');
    const { id, secret, rawSecret } = parseBasic(authorization);
    if (bodyId !== undefined && bodyId !== id) throw InvalidRequest('client_id in the body differs from the Authorization header');
    if (!id) throw InvalidClient('empty client_id in Basic credentials');
    return { method: 'client_secret_basic', client_id: id, secret, ...(rawSecret !== undefined ? { rawSecret } : {}) };
  }
  if (bodyId === undefined || bodyId === '') throw InvalidClient('client authentication required');
  if (bodySecret !== undefined) return { method: 'client_secret_post', client_id: bodyId, secret: bodySecret };
  return { method: 'none', client_id: bodyId };
}
