/**
 * Every client authentication failure tells the caller the same thing: which clients
 * exist and how they authenticate is nobody else's business. The reason (`detail`) goes
 * to the log only.
 */
import { InvalidClient, type OAuthError } from '../errors.js';

export const AUTHENTICATION_FAILED = 'client authentication failed';

export function authenticationFailed(detail: string): OAuthError {
  return InvalidClient(AUTHENTICATION_FAILED, { detail });
}
