/**
 * Every client authentication failure tells the caller the same thing: which clients
 * exist and how they authenticate is nobody else's business. The reason goes to the log
 * only: as a code (`reason`, for the audit line and alerts) and in words (`detail`).
 */
import { InvalidClient, type OAuthError } from '../errors.js';

export const AUTHENTICATION_FAILED = 'client authentication failed';

/** Why a client failed to authenticate, as the audit line says it (one list, here). */
export const AUTH_FAILURE_REASONS = [
  'unknown_client',
  'secret_missing',
  'secret_mismatch',
  'assertion_invalid',
  'credentials_missing',
  'method_mismatch',
  'method_unsupported',
  'client_mismatch',
  'public_client',
  'not_proven',
  // Credentials that could not be read (a malformed Basic header, say): told before any lookup.
  'credentials_malformed',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

const reasons = new WeakMap<OAuthError, AuthFailureReason>();

export function authenticationFailed(reason: AuthFailureReason, detail: string): OAuthError {
  const error = InvalidClient(AUTHENTICATION_FAILED, { detail });
  reasons.set(error, reason);
  return error;
}

/** The reason of an authentication failure; undefined for any other error (malformed credentials, say). */
export function authFailureReason(error: unknown): AuthFailureReason | undefined {
  return typeof error === 'object' && error !== null ? reasons.get(error as OAuthError) : undefined;
}
