/**
 * The engine's HTTP client: one bounded exchange with a server the config names (a JWKS,
 * a directory service). Whatever that server does, the caller gets an answer or an
 * HttpClientError within the limits:
 *  - a timeout over the whole exchange (connect, headers and body), so a slow or silent
 *    upstream cannot hold a request;
 *  - a size limit enforced while streaming: a Content-Length above it is refused before
 *    reading, and a body that lies about its length or never ends is abandoned at the
 *    limit, so memory stays bounded;
 *  - no redirects: a 3xx is an answer like any other status, for the caller to judge
 *    (following one would let the upstream send us, with our headers, somewhere else).
 */

export interface HttpClientRequest {
  /** Default GET. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Milliseconds for the whole exchange. */
  readonly timeoutMs: number;
  /** Largest body in bytes. */
  readonly maxBytes: number;
  /**
   * Statuses whose body the caller wants (default: all). Any other status throws
   * HttpClientError 'status' without reading the body.
   */
  readonly acceptStatus?: (status: number) => boolean;
}

export interface HttpClientResponse {
  readonly status: number;
  /** Names lower-cased; a repeated header joined with ", " (of set-cookie, the last). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What went wrong, as a code: callers decide on codes, never on message text. */
export type HttpClientErrorCode = 'network' | 'timeout' | 'too_large' | 'status';

export class HttpClientError extends Error {
  override readonly name = 'HttpClientError';
  constructor(
    readonly code: HttpClientErrorCode,
    message: string,
    /** The response status, for code 'status'. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The HTTP client as EngineServices offers it to valves. */
export interface HttpClient {
  request(url: string, request: HttpClientRequest): Promise<HttpClientResponse>;
}

export const httpClient: HttpClient = { request: httpRequest };

export async function httpRequest(url: string, request: HttpClientRequest): Promise<HttpClientResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? 'GET',
      redirect: 'manual',
      signal,
      ...(request.headers ? { headers: { ...request.headers } } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
  } catch (error) {
    throw failure(error, signal, `fetching ${url} failed`);
  }
  if (request.acceptStatus && !request.acceptStatus(response.status)) {
    await response.body?.cancel().catch(() => {});
    throw new HttpClientError('status', `fetching ${url} answered ${response.status}`, response.status);
  }
  const body = await readBounded(response, request.maxBytes, url, signal);
  return { status: response.status, headers: Object.fromEntries(response.headers), body };
}

async function readBounded(response: Response, maxBytes: number, url: string, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new HttpClientError('too_large', `${url} is larger than ${maxBytes} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new HttpClientError('too_large', `${url} is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HttpClientError) throw error;
    throw failure(error, signal, `reading ${url} failed`);
  }
  return Buffer.concat(chunks);
}

function failure(error: unknown, signal: AbortSignal, what: string): HttpClientError {
  if (signal.aborted) return new HttpClientError('timeout', `${what}: timed out`);
  return new HttpClientError('network', `${what}: ${describe(error)}`);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
