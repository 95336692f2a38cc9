/**
 * `oidc.discovery_meta` is merged into discovery (RFC 8414 section 2), as FortifiedID's
 * OIDC module does. Where it lists what the server supports (grant types, client
 * authentication methods, assertion algorithms), a value the server does not support would
 * send clients that trust discovery down a path that always fails; FortifiedID's
 * documented discovery_meta lists `authorization_code`, `refresh_token` and the `none`
 * method, which Sluice (M2M only) has not. So such values are left out of what is
 * published, and `check` warns about each. Narrowing a list is kept: it is the operator's
 * statement of what clients should use.
 */
import { ASSERTION_SIGNING_ALGS, AUTH_METHOD_NAMES } from '../client-auth/methods/index.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { GRANT_TYPES } from '../grants/index.js';

/** The metadata lists the server computes, by key: what it really supports. */
const SUPPORTED: Readonly<Record<string, () => readonly string[]>> = {
  grant_types_supported: () => [...GRANT_TYPES.keys()],
  token_endpoint_auth_methods_supported: () => AUTH_METHOD_NAMES,
  introspection_endpoint_auth_methods_supported: () => AUTH_METHOD_NAMES,
  revocation_endpoint_auth_methods_supported: () => AUTH_METHOD_NAMES,
  token_endpoint_auth_signing_alg_values_supported: () => ASSERTION_SIGNING_ALGS,
  // No authorization endpoint, so no response type (discovery publishes an empty list).
  response_types_supported: () => [],
};

/**
 * Members that describe the running server, computed from the config: discovery_meta cannot
 * set them (engine/config/cross-refs.ts). RFC 8414 section 3.3 clients reject a wrong issuer;
 * an endpoint pointing elsewhere (FortifiedID's own, in an imported discovery_meta) would send
 * callers' credentials and tokens to another host.
 */
export const COMPUTED_METADATA = ['issuer', 'token_endpoint', 'jwks_uri', 'introspection_endpoint', 'revocation_endpoint', 'userinfo_endpoint'] as const;

/**
 * An endpoint member (RFC 8414 section 2 names them `*_endpoint`; OIDC Session Management adds
 * check_session_iframe) of a server Sluice is not: authorization, end-session, registration.
 * Published, it would send clients that trust discovery to a flow that is not there.
 */
export function isUnservedEndpoint(key: string): boolean {
  return (key.endsWith('_endpoint') || key === 'check_session_iframe') && !(COMPUTED_METADATA as readonly string[]).includes(key);
}

/** discovery_meta as published: the lists above keep only what the server supports; endpoints it lacks are left out. */
export function publishedDiscoveryMeta(meta: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(meta).filter(([key]) => !isUnservedEndpoint(key)));
  for (const [key, supported] of Object.entries(SUPPORTED)) {
    const value = meta[key];
    if (Array.isArray(value)) out[key] = value.filter((v) => supported().includes(v as string));
  }
  return out;
}

export function checkDiscoveryMeta(meta: Readonly<Record<string, unknown>>, sink: DiagnosticSink): void {
  for (const key of Object.keys(meta).filter(isUnservedEndpoint)) {
    sink.add('schema', `'${key}' is left out of discovery: the server has no such endpoint (Sluice serves client_credentials at the token endpoint)`, ['oidc', 'discovery_meta', key], { atKey: true, severity: 'warning' });
  }
  for (const [key, supported] of Object.entries(SUPPORTED)) {
    if (!Object.hasOwn(meta, key)) continue;
    const value = meta[key];
    const path = ['oidc', 'discovery_meta', key];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      sink.add('schema', `${key} must be a list of strings`, path);
      continue;
    }
    value.forEach((v: string, i) => {
      if (supported().includes(v)) return;
      const why = key === 'grant_types_supported' ? 'Sluice is for machine-to-machine clients' : 'the server does not support it';
      sink.warn('schema', `'${v}' is left out of discovery: ${why}; clients that trust discovery would use it and fail (supported: ${supported().join(', ')})`, [...path, i]);
    });
  }
}
