/**
 * GET and POST /userinfo: the claims of the bearer token presented (RFC 6750), for a
 * resource server that would rather ask than verify a JWT itself.
 *
 *   readBearer → checkToken
 *
 * The token is taken from the Authorization header only (RFC 6750 section 2.1). Not from
 * the URL query (section 2.3), which proxies log, and not from a form body: one place to
 * look is one place to get right. A request without a bearer token gets 401 and a bare
 * `Bearer` challenge; a bad, expired or revoked token 401 with `error="invalid_token"`
 * (section 3.1). Why a token failed is for the log, which never holds the token.
 */
import { OAuthError } from '../errors.js';
import { merged } from '../merge.js';
import { step, type SequenceStep } from '../runner.js';
import { checkAccessToken } from '../tokens/access-token.js';
import { defineEndpoint, type EndpointContext } from './handler.js';

interface UserinfoContext extends EndpointContext {
  token?: string;
}

// RFC 6750 section 2.1: "Bearer" 1*SP b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const REALM = 'realm="sluice"';

function noToken(): OAuthError {
  // Section 3.1: a request without credentials gets a challenge with no error code.
  return new OAuthError('invalid_request', 'a bearer token is required in the Authorization header (RFC 6750 section 2.1)', {
    status: 401,
    headers: { 'www-authenticate': `Bearer ${REALM}` },
  });
}

function invalidToken(detail: string): OAuthError {
  return new OAuthError('invalid_token', 'the access token is invalid, expired or revoked', {
    headers: { 'www-authenticate': `Bearer ${REALM}, error="invalid_token"` },
    detail,
  });
}

function readBearer(context: UserinfoContext): void {
  const authorization = context.http.authorization;
  if (authorization === undefined || !/^Bearer(\s|$)/i.test(authorization)) throw noToken();
  const match = BEARER.exec(authorization);
  if (!match) throw invalidToken('malformed bearer token');
  context.token = match[1]!;
}

async function checkToken(context: UserinfoContext): Promise<void> {
  const check = await checkAccessToken(context.engine, context.token!);
  if (!check.ok) throw invalidToken(check.reason);
  context.line.client_id = check.claims.client_id;
  context.line.outcome = 'answered';
  const answer: Record<string, unknown> = merged({}, check.claims);
  answer.sub = check.claims.sub ?? check.claims.client_id;
  context.answer = answer;
}

const STEPS: ReadonlyArray<SequenceStep<UserinfoContext>> = [step('readBearer', readBearer), step('checkToken', checkToken)];

export const handleUserinfo = defineEndpoint<UserinfoContext>('userinfo', STEPS, (base) => base);
