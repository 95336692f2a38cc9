/** Parsers for the request parameters grants share. */
import { InvalidScope, InvalidTarget, OAuthError } from '../errors.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 section 3.3
const SCOPE_PROBLEM = 'scope contains characters RFC 6749 section 3.3 does not allow';

/** RFC 6749 section 3.3: space-delimited scope tokens; duplicates collapse. */
export function parseScope(value: string | undefined): string[] | OAuthError {
  if (value === undefined) return [];
  // One scope (the usual request): no split, nothing to collapse.
  if (value !== '' && !value.includes(' ')) return SCOPE_TOKEN.test(value) ? [value] : InvalidScope(SCOPE_PROBLEM);
  const scopes = value.split(' ').filter(Boolean);
  for (const scope of scopes) if (!SCOPE_TOKEN.test(scope)) return InvalidScope(SCOPE_PROBLEM);
  return [...new Set(scopes)];
}

/**
 * A list parameter sent either repeated (RFC 8707 section 2, RFC 8693 section 2.1) or as
 * one space-delimited value (as OA4MP documents audience and resource), or both: every
 * value, in order, duplicates collapsed. A URI has no space in it (RFC 3986 appendix C)
 * and audiences are names, so splitting loses nothing.
 */
export function splitList(values: readonly string[]): string[] {
  // Nothing sent (the usual request), or one value without a space: no split, nothing to collapse.
  if (values.length === 0) return [];
  if (values.length === 1 && values[0] !== '' && !values[0]!.includes(' ')) return [values[0]!];
  return [...new Set(values.flatMap((value) => value.split(' ')).filter(Boolean))];
}

/** RFC 8707 section 2: each resource is an absolute URI without a fragment. */
export function parseResources(values: readonly string[]): string[] | OAuthError {
  const resources = splitList(values);
  for (const value of resources) {
    if (!URL.canParse(value) || value.includes('#')) return InvalidTarget('resource is not an absolute URI without a fragment');
  }
  return resources;
}

/** Audiences (RFC 8693 section 2.1): names of the services the token is for. */
export function parseAudiences(values: readonly string[]): string[] {
  return splitList(values);
}
