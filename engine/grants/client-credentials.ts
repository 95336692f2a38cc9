/** client_credentials (RFC 6749 section 4.4), with RFC 8707 resource and RFC 8693-style audience. */
import { OAuthError } from '../errors.js';
import { parseAudiences, parseResources, parseScope } from './params.js';
import type { GrantParameters, GrantType } from './types.js';

export const clientCredentials: GrantType = {
  type: 'client_credentials',
  description: 'A client gets a token for itself with its own credentials (RFC 6749 section 4.4).',
  pipeField: 'client_credentials_pipe_id',
  repeatable: ['resource', 'audience'],
  secretParams: [],
  clientAuthentication: 'required',
  parse(form): GrantParameters | OAuthError {
    const scope = parseScope(form.get('scope')?.[0]);
    if (scope instanceof OAuthError) return scope;
    const resource = parseResources(form.get('resource') ?? []);
    if (resource instanceof OAuthError) return resource;
    return { scope, resource, audience: parseAudiences(form.get('audience') ?? []) };
  },
};
