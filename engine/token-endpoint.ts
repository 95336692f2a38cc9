/**
 * POST /token: parse, identify the client, pick its pipe for the grant type, make sure the
 * client is authenticated, run the pipe, answer. Every failure is an OAuthError value;
 * anything else is a bug, answered as server_error with the details only in the log.
 */
import { AUTHENTICATION_FAILED } from './client-auth/authenticate.js';
import { extractCredentials } from './client-auth/credentials.js';
import type { Engine } from './engine.js';
import { InvalidClient, InvalidRequest, isOAuthError, ServerError, UnauthorizedClient, UnsupportedGrantType } from './errors.js';
import { createFlow } from './flow-state.js';
import { GRANT_TYPES } from './grants.js';
import { buildTokenRequest, parseForm, singleValued } from './token-request.js';

export interface TokenHttpRequest {
  readonly id: string;
  readonly body: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly ip: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

// RFC 6749 §5.1: token responses must not be cached.
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export async function handleTokenRequest(engine: Engine, http: TokenHttpRequest): Promise<HttpAnswer> {
  const started = process.hrtime.bigint();
  const log = engine.logger.child({ req_id: http.id });
  const line: Record<string, unknown> = { event: 'token' };
  try {
    const body = await issue(engine, http, log, line);
    line.outcome = 'issued';
    return { status: 200, headers: { ...NO_STORE }, body };
  } catch (error) {
    const oauth = isOAuthError(error) ? error : ServerError('the server failed to process the request', { cause: error });
    line.outcome = oauth.code === 'server_error' ? 'error' : 'refused';
    line.error = oauth.code;
    line.error_description = oauth.message;
    if (oauth.detail) line.error_detail = oauth.detail;
    if (!isOAuthError(error) || oauth.code === 'server_error') line.err = error;
    // A server_error's own message may hold internals: it goes to the log, not the client.
    const body = oauth.code === 'server_error'
      ? { error: oauth.code, error_description: `internal error (request ${http.id}); see the server log` }
      : oauth.toJSON();
    return { status: oauth.status, headers: { ...NO_STORE, ...oauth.headers }, body };
  } finally {
    line.duration_ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (line.outcome === 'error') log.error(line, 'token request failed');
    else log.info(line, 'token request');
  }
}

async function issue(engine: Engine, http: TokenHttpRequest, log: Engine['logger'], line: Record<string, unknown>): Promise<Record<string, unknown>> {
  const mediaType = http.contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw InvalidRequest('the token endpoint takes application/x-www-form-urlencoded (RFC 6749 §3.2)');
  }
  const params = parseForm(http.body);
  const single = singleValued(params);
  const grantType = single.get('grant_type');
  line.grant_type = grantType;
  if (grantType === undefined) throw InvalidRequest('grant_type is required');
  // Grant types are public (discovery lists them): no need to authenticate to learn this.
  if (!GRANT_TYPES.has(grantType)) throw UnsupportedGrantType('unsupported grant_type');
  const credentials = extractCredentials(single, http.authorization);
  line.client_id = credentials.client_id;

  const registered = engine.clients.get(credentials.client_id);
  if (!registered) throw InvalidClient(AUTHENTICATION_FAILED, { detail: 'unknown client' });
  const request = buildTokenRequest(params, single, credentials.client_id, http.ip);
  const flow = createFlow({ id: http.id, request, client: registered.client, credentials, log });

  const pipe = registered.pipes.get(grantType);
  if (!pipe) {
    // Authenticate before saying what the client may do: strangers learn nothing.
    await engine.authenticate(flow, registered);
    throw UnauthorizedClient(`this client may not use grant_type '${grantType}'`);
  }
  line.pipe = pipe.id;
  // A pipe without an authenticating valve: the engine authenticates first.
  if (!pipe.authenticatesClient) await engine.authenticate(flow, registered);
  await pipe.run(flow);

  // Whatever the pipe did, no token leaves for a client that was not authenticated.
  if (!flow.authentication) {
    log.error({ pipe: pipe.id }, 'pipe finished without authenticating the client; response withheld');
    throw InvalidClient(AUTHENTICATION_FAILED, { detail: 'pipe finished unauthenticated' });
  }
  if (!flow.response) throw ServerError(`pipe '${pipe.id}' produced no response (is TokenResponse missing?)`);
  return flow.response;
}
