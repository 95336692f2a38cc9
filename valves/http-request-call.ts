/**
 * One HttpRequest call at request time: the resolved request, the exchange through the
 * engine's HTTP client, and the answer as later valves see it ({status, headers, body}).
 * Every way it can fail is an UpstreamFailure with an outcome code, which the valve maps
 * to its on_error and logs; none carries upstream content to the caller.
 */
import { HttpClientError, type HttpClient } from '../engine/index.js';
import { pathIsAsWritten } from './http-request-url.js';

export interface ResolvedCall {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Parsed when the upstream declares JSON (application/json, application/*+json), else text. */
  readonly body: unknown;
}

export type FailureOutcome = 'timeout' | 'network' | 'too_large' | 'status' | 'invalid_json' | 'busy' | 'refused';

export class UpstreamFailure extends Error {
  override readonly name = 'UpstreamFailure';
  constructor(
    readonly outcome: FailureOutcome,
    readonly status?: number,
  ) {
    super(`upstream call failed: ${outcome}${status === undefined ? '' : ` (${status})`}`);
  }
}

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * The URL as resolved, refused when a caller's value changed its shape (see
 * http-request-url.ts); header values with line breaks are refused too (header injection).
 */
export function resolveCall(method: string, url: string, headers: Record<string, unknown>, body: string | undefined): ResolvedCall {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UpstreamFailure('refused');
  }
  if (!pathIsAsWritten(url, parsed)) throw new UpstreamFailure('refused');
  const resolvedHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (/[\r\n\0]/.test(text)) throw new UpstreamFailure('refused');
    resolvedHeaders[name] = text;
  }
  return { method, url: parsed, headers: resolvedHeaders, body };
}

export interface CallLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** Only a 2xx is an answer: a token is never enriched from, or issued despite, an upstream's error. */
const isSuccess = (status: number): boolean => status >= 200 && status < 300;

export async function callUpstream(http: HttpClient, call: ResolvedCall, limits: CallLimits): Promise<UpstreamAnswer> {
  let response;
  try {
    response = await http.request(call.url.href, {
      method: call.method,
      headers: call.headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      acceptStatus: isSuccess,
    });
  } catch (error) {
    if (error instanceof HttpClientError) throw new UpstreamFailure(error.code, error.status);
    throw new UpstreamFailure('network');
  }
  const text = response.body.toString('utf8');
  let body: unknown = text;
  if (JSON_TYPE.test(response.headers['content-type'] ?? '')) {
    try {
      body = text.trim() === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      throw new UpstreamFailure('invalid_json', response.status);
    }
  }
  return { status: response.status, headers: response.headers, body };
}
