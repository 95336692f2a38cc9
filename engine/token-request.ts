/**
 * Parse a token request body (application/x-www-form-urlencoded, RFC 6749 §3.2) into
 * the flow's TokenRequest. Malformed input is invalid_request, never an exception.
 */
import { InvalidRequest, InvalidScope, InvalidTarget } from './errors.js';
import type { TokenRequest } from './flow.js';
import { CREDENTIAL_PARAMS } from './client-auth/credentials.js';

/** RFC 8707 §2 and RFC 8693 let these repeat; any other repeated parameter is an error. */
const REPEATABLE = new Set(['resource', 'audience']);
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3

export type FormParams = ReadonlyMap<string, readonly string[]>;

export function parseForm(body: string): FormParams {
  const params = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(body)) {
    if (value === '') continue; // RFC 6749 §3.1: a parameter without a value is omitted
    const values = params.get(key);
    if (values) values.push(value);
    else params.set(key, [value]);
  }
  return params;
}

/** The single-valued view; throws invalid_request for a repeated parameter (RFC 6749 §3.1). */
export function singleValued(params: FormParams): Map<string, string> {
  const single = new Map<string, string>();
  for (const [key, values] of params) {
    if (REPEATABLE.has(key)) continue;
    if (values.length > 1) throw InvalidRequest(`parameter '${key}' is repeated`);
    single.set(key, values[0]!);
  }
  return single;
}

function parseResources(values: readonly string[]): string[] {
  for (const value of values) {
    // RFC 8707 §2: an absolute URI without a fragment.
    if (!URL.canParse(value) || value.includes('#')) throw InvalidTarget(`resource '${value}' is not an absolute URI without a fragment`);
  }
  return [...values];
}

function parseScope(value: string | undefined): string[] {
  if (value === undefined) return [];
  const scopes = value.split(' ').filter(Boolean);
  for (const scope of scopes) if (!SCOPE_TOKEN.test(scope)) throw InvalidScope('scope contains characters RFC 6749 §3.3 does not allow');
  return [...new Set(scopes)];
}

export function buildTokenRequest(params: FormParams, single: ReadonlyMap<string, string>, clientId: string, ip: string): TokenRequest {
  // No prototype: a parameter named __proto__ is kept as a parameter.
  const visible: Record<string, string | readonly string[]> = Object.create(null) as Record<string, string | readonly string[]>;
  for (const [key, values] of params) {
    if (CREDENTIAL_PARAMS.has(key)) continue;
    visible[key] = REPEATABLE.has(key) ? values : values[0]!;
  }
  return Object.freeze({
    grant_type: single.get('grant_type') ?? '',
    client_id: clientId,
    scope: parseScope(single.get('scope')),
    resource: parseResources(params.get('resource') ?? []),
    audience: [...(params.get('audience') ?? [])],
    params: Object.freeze(visible),
    ip,
  });
}
