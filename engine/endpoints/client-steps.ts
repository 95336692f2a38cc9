/**
 * The front of every endpoint that a client calls with a form (token, and next
 * introspection and revocation): read the form, find the credentials, look the client up.
 * Nothing about the request beyond its form may be judged here: a stranger must get the
 * same answer whether or not the client_id exists (issue 9, item 2).
 */
import { extractCredentials } from '../client-auth/credentials.js';
import type { PresentedCredentials } from '../client-auth/methods/index.js';
import type { RegisteredClient } from '../engine.js';
import { InvalidRequest } from '../errors.js';
import { isFormBody, parseForm, singleValued, type FormParams } from './form.js';
import { loggableClientId, type EndpointContext } from './handler.js';

export interface ClientRequestContext extends EndpointContext {
  form?: FormParams;
  /** The single-valued parameters (repeats refused, except the endpoint's repeatable ones). */
  single?: ReadonlyMap<string, string>;
  credentials?: PresentedCredentials;
  /** Undefined for an unknown client_id, which then fails authentication like a wrong secret. */
  registered?: RegisteredClient | undefined;
}

export function readForm(context: ClientRequestContext): void {
  if (!isFormBody(context.http.contentType)) {
    throw InvalidRequest('this endpoint takes application/x-www-form-urlencoded (RFC 6749 section 3.2)');
  }
  context.form = parseForm(context.http.body);
}

export function readSingleValued(context: ClientRequestContext, repeatable: readonly string[]): void {
  context.single = singleValued(context.form!, repeatable);
}

export function findClient(context: ClientRequestContext): void {
  const credentials = extractCredentials({ params: context.single!, authorization: context.http.authorization });
  context.line.client_id = loggableClientId(credentials.client_id);
  context.credentials = credentials;
  context.registered = context.engine.clients.get(credentials.client_id);
}
