/** The token requests the load generator sends: one fixed request, or a new one each time. */

export interface TokenRequest {
  headers: Record<string, string>;
  body: string;
}

export interface RequestSource {
  /** The request the harness checks before measuring (and the generator's first). */
  first(): TokenRequest;
  /** A request per request (a client rotation, an assertion pool); absent: always first(). */
  next?(): TokenRequest;
  /** Before each run, outside the measurement: make what `expected` requests need. */
  prepare?(expected: number): void;
}

export const FORM = 'application/x-www-form-urlencoded';
export const REQUESTED_SCOPE = 'api.read';

/** client_secret_basic: id and secret form-encoded, then Basic (RFC 6749 section 2.3.1). */
export function basicRequest(clientId: string, secret: string): TokenRequest {
  const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`;
  return {
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}`, 'content-type': FORM },
    body: `grant_type=client_credentials&scope=${REQUESTED_SCOPE}`,
  };
}

export function fixedSource(request: TokenRequest): RequestSource {
  return { first: () => request };
}

/** Round robin over several clients' requests (per-client quotas bound what one may hold). */
export function rotatingSource(requests: readonly TokenRequest[]): RequestSource {
  let index = 0;
  return {
    first: () => requests[0]!,
    next: () => requests[index++ % requests.length]!,
  };
}
