/** Parsers for the request parameters grants share. */
import { InvalidScope, InvalidTarget, OAuthError } from '../errors.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 section 3.3

/** RFC 6749 section 3.3: space-delimited scope tokens; duplicates collapse. */
export function parseScope(value: string | undefined): string[] | OAuthError {
  if (value === undefined) return [];
  const scopes = value.split(' ').filter(Boolean);
  for (const scope of scopes) if (!SCOPE_TOKEN.test(scope)) return InvalidScope('scope contains characters RFC 6749 section 3.3 does not allow');
  return [...new Set(scopes)];
}

/** RFC 8707 section 2: each resource is an absolute URI without a fragment. */
export function parseResources(values: readonly string[]): string[] | OAuthError {
  for (const value of values) {
    if (!URL.canParse(value) || value.includes('#')) return InvalidTarget('resource is not an absolute URI without a fragment');
  }
  return [...values];
}
