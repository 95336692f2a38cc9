/**
 * The audit record of an issued token, written on the token request's own line (one
 * pino write per request, issue 14): `audit: token_issued` with who got what (client_id,
 * sub, jti, scope, aud, exp, kid, pipe, grant_type). Never the token itself, nor anything
 * the client authenticated with. A caller can make some of these long (a scope, a
 * subject from an assertion), so each is cut to a bounded length.
 */
import type { Flow, IssuedToken } from '../flow.js';
import type { LogLine } from './request-log.js';

/** Longest value an audit field keeps; longer ones are cut and say how long they were. */
const MAX_FIELD = 256;

export function bounded(value: string): string {
  return value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}...(${value.length} chars)` : value;
}

/** The token the answer carries (its access_token), else the only one issued. */
export function answeredToken(flow: Flow): IssuedToken | undefined {
  const sent = flow.response?.access_token;
  let only: IssuedToken | undefined;
  let count = 0;
  for (const dest in flow.issued) {
    const issued = flow.issued[dest]!;
    if (issued.token === sent) return issued;
    only = issued;
    count++;
  }
  return count === 1 ? only : undefined;
}

/** Puts the audit fields of `token` on the request line (plain values only: the line stays the cheap one). */
export function auditIssued(line: LogLine, token: IssuedToken): void {
  const { claims } = token;
  line.audit = 'token_issued';
  if (claims.sub !== undefined) line.sub = text(claims.sub);
  if (claims.jti !== undefined) line.jti = text(claims.jti);
  line.scope = bounded(token.scope.join(' '));
  if (claims.aud !== undefined) line.aud = text(claims.aud);
  line.exp = token.expires_at;
  if (token.kid !== undefined) line.kid = bounded(token.kid);
}

/** A claim as one bounded string: a list (aud) space-separated, anything else as JSON. */
function text(value: unknown): string {
  if (typeof value === 'string') return bounded(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return bounded(value.join(' '));
  return bounded(JSON.stringify(value) ?? String(value));
}
