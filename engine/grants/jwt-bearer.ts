/**
 * JWT bearer grant (RFC 7523 section 2.1): `assertion` is a JWT issued by a trusted
 * issuer; the pipe verifies it (VerifyAssertion) and decides what it maps to. Client
 * authentication is optional (section 3.1).
 */
import { InvalidRequest, OAuthError } from '../errors.js';
import { parseAudiences, parseResources, parseScope } from './params.js';
import type { GrantParameters, GrantType } from './types.js';

export const jwtBearer: GrantType = {
  type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  description: 'A JWT from a trusted issuer is exchanged for a token of ours (RFC 7523 section 2.1).',
  repeatable: ['resource', 'audience'],
  secretParams: ['assertion'],
  clientAuthentication: 'optional',
  parse(form): GrantParameters | OAuthError {
    const assertion = form.get('assertion')?.[0];
    if (assertion === undefined) return InvalidRequest('assertion is required (RFC 7523 section 2.1)');
    const scope = parseScope(form.get('scope')?.[0]);
    if (scope instanceof OAuthError) return scope;
    const resource = parseResources(form.get('resource') ?? []);
    if (resource instanceof OAuthError) return resource;
    return { scope, resource, audience: parseAudiences(form.get('audience') ?? []), token: assertion };
  },
};
