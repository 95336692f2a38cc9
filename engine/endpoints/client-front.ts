/**
 * The front of the endpoints a client calls about a token it holds (introspection,
 * revocation): read the form, find and authenticate the caller by its registered method,
 * then read the `token` parameter. The caller is proven before anything about the token
 * is judged, and a stranger fails exactly as at the token endpoint (same 401, same cost).
 */
import { authenticationFailed } from '../client-auth/failure.js';
import type { RegisteredClient } from '../engine.js';
import { InvalidRequest } from '../errors.js';
import { step, type SequenceStep } from '../runner.js';
import { findClient, readForm, readSingleValued, type ClientRequestContext } from './client-steps.js';

export interface TokenAboutContext extends ClientRequestContext {
  /** The authenticated caller. */
  caller?: RegisteredClient;
  /** The token asked about; never logged. */
  token?: string;
}

async function authenticateCaller(context: TokenAboutContext): Promise<void> {
  const { engine, http, registered, credentials } = context;
  // An unknown client_id goes through the authenticator too: it always throws, at the cost of a wrong secret.
  await engine.authenticator.verify(credentials!, registered, engine.verifyContext, http.ip);
  if (!registered) throw authenticationFailed('unknown_client', 'unknown client');
  context.caller = registered;
}

function readToken(context: TokenAboutContext): void {
  // RFC 7662 section 2.1 and RFC 7009 section 2.1: `token` is required.
  const token = context.single!.get('token');
  if (token === undefined) throw InvalidRequest('token is required');
  context.token = token;
  const hint = context.single!.get('token_type_hint');
  // A hint is only a hint (RFC 7009 section 2.1); logged only when it is one we know.
  if (hint !== undefined) context.line.token_type_hint = hint === 'access_token' || hint === 'refresh_token' ? hint : '(other)';
}

export const CLIENT_FRONT_STEPS: ReadonlyArray<SequenceStep<TokenAboutContext>> = [
  step('readForm', readForm),
  step('singleValued', (context: TokenAboutContext) => readSingleValued(context, [])),
  step('findClient', findClient),
  step('authenticateCaller', authenticateCaller),
  step('readToken', readToken),
];
