/**
 * Token exchange (RFC 8693): `subject_token` is a JWT (an access token or any JWT) issued
 * by a trusted issuer; the pipe verifies it (VerifyAssertion). We issue access tokens
 * only, and do not take actor tokens (delegation): both are refused rather than ignored.
 */
import { InvalidRequest, OAuthError } from '../errors.js';
import { parseAudiences, parseResources, parseScope } from './params.js';
import type { GrantParameters, GrantType } from './types.js';

const TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:';
/** The subject token types a JWT can be presented as (RFC 8693 section 3). */
const SUBJECT_TOKEN_TYPES = [`${TOKEN_TYPE}jwt`, `${TOKEN_TYPE}access_token`];
const ISSUED_TOKEN_TYPE = `${TOKEN_TYPE}access_token`;

export const tokenExchange: GrantType = {
  type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  description: 'A token from a trusted issuer is exchanged for a token of ours (RFC 8693).',
  repeatable: ['resource', 'audience'],
  secretParams: ['subject_token', 'actor_token'],
  clientAuthentication: 'optional',
  responseFields: { issued_token_type: ISSUED_TOKEN_TYPE },
  parse(form): GrantParameters | OAuthError {
    const subjectToken = form.get('subject_token')?.[0];
    const subjectTokenType = form.get('subject_token_type')?.[0];
    if (subjectToken === undefined || subjectTokenType === undefined) return InvalidRequest('subject_token and subject_token_type are required (RFC 8693 section 2.1)');
    if (!SUBJECT_TOKEN_TYPES.includes(subjectTokenType)) return InvalidRequest(`subject_token_type must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}`);
    if (form.has('actor_token')) return InvalidRequest('actor_token (delegation) is not supported');
    const requested = form.get('requested_token_type')?.[0];
    if (requested !== undefined && requested !== ISSUED_TOKEN_TYPE) return InvalidRequest(`requested_token_type: only ${ISSUED_TOKEN_TYPE} is issued`);
    const scope = parseScope(form.get('scope')?.[0]);
    if (scope instanceof OAuthError) return scope;
    const resource = parseResources(form.get('resource') ?? []);
    if (resource instanceof OAuthError) return resource;
    return { scope, resource, audience: parseAudiences(form.get('audience') ?? []), token: subjectToken };
  },
};
