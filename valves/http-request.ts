/**
 * HttpRequest: calls an HTTP API and puts its answer, `{status, headers, body}`, under
 * `flow.state[dest]` for later valves (`${state.DEST.body.team}`): the usual "enrich
 * claims from a directory service" step.
 *
 * The config author is trusted, callers are not: templates in the URL are percent-encoded
 * and may not choose the server (http-request-url.ts); request headers come from the config
 * only. The upstream is not trusted either: the exchange is bounded in time and size and
 * never follows a redirect (engine/http-client.ts), only a 2xx counts as an answer, and
 * at most max_concurrency calls per valve are open at once. A failed call answers on_error
 * (an OAuth error whose body says nothing of the upstream) or, with `continue`, leaves
 * dest unset. The log line names host, path, status and outcome: never headers (they
 * carry the directory's credentials), body or query.
 */
import { CONFIGURABLE_ERROR_CODES, ConfigError, defineValve, OAuthError, parseDuration, type ConfigurableErrorCode, type Flow, type ValveProblem } from '../engine/index.js';
import { AnswerCache, type CacheOutcome } from './http-request-cache.js';
import { callUpstream, resolveCall, UpstreamFailure, type UpstreamAnswer } from './http-request-call.js';
import { configuredHost, urlProblems } from './http-request-url.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface HttpRequestConfig {
  method: (typeof HTTP_METHODS)[number];
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeout: number | string;
  max_bytes: number;
  cache_ttl?: number | string;
  max_concurrency: number;
  dest: string;
  on_error: ConfigurableErrorCode | 'continue';
}

/** Longest timeout: a token request waiting longer than this has failed for its client anyway. */
const MAX_TIMEOUT_SECONDS = 30;
const MAX_CACHE_TTL_SECONDS = 86400;
/** Headers the HTTP client derives itself; setting them would desynchronise the message. */
const UNSETTABLE_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect'];

const duration = (maxSeconds: number, description: string) => ({
  type: ['number', 'string'],
  exclusiveMinimum: 0,
  maximum: maxSeconds,
  pattern: '^(\\d+[smhd])+$',
  patternMessage: 'must be seconds as a number, or a duration such as 2s, 5m',
  description,
});

/** The description every failure answers with: nothing of the upstream, its URL or status. */
const FAILURE_DESCRIPTION = 'a service this request depends on did not answer as required';

/** Seconds a caller waits after a failed upstream call: the store's outage answer says 2 too. */
const RETRY_AFTER_SECONDS = '2';

export default defineValve<HttpRequestConfig>({
  name: 'HttpRequest',
  description: 'Call an HTTP API (a directory service, say) and put {status, headers, body} under `dest` for later valves.',
  writes: (config) => [config.dest],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'dest'],
    properties: {
      method: { enum: [...HTTP_METHODS], default: 'GET', description: 'HTTP method.' },
      url: { type: 'string', minLength: 1, description: 'http(s) URL; ${…} only in the path or query, where values are percent-encoded.' },
      headers: {
        type: 'object',
        default: {},
        propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
        additionalProperties: { type: 'string' },
        description: 'Request headers (values may be templates, e.g. Authorization: Bearer ${env.DIR_TOKEN}).',
      },
      body: { description: 'A JSON value (templates inside) sent as application/json, or a string. Not with GET or HEAD.' },
      timeout: { ...duration(MAX_TIMEOUT_SECONDS, 'The whole exchange (connect, headers, body); at most 30s.'), default: '2s' },
      max_bytes: { type: 'integer', minimum: 1, maximum: 16 * 1024 * 1024, default: 1024 * 1024, description: 'Largest response body; a larger one is a failure.' },
      cache_ttl: duration(MAX_CACHE_TTL_SECONDS, 'Keep successful answers this long per (method, url, headers, body); default: no cache.'),
      max_concurrency: { type: 'integer', minimum: 1, maximum: 1024, default: 32, description: 'Upstream calls this valve has open at once; beyond it a request fails with on_error.' },
      dest: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', patternMessage: 'must be a name (letters, digits, _ and -)', description: 'Where later valves find the answer (${state.DEST.body…}).' },
      on_error: { enum: [...CONFIGURABLE_ERROR_CODES, 'continue'], default: 'temporarily_unavailable', description: 'The OAuth error a failed call answers with, or continue (dest left unset).' },
    },
  },
  check(config) {
    const problems: ValveProblem[] = [...urlProblems(config.url)];
    if (config.body !== undefined && (config.method === 'GET' || config.method === 'HEAD')) {
      problems.push({ message: `a ${config.method} request has no body; use POST (or another method) to send one`, path: ['body'], atKey: true });
    }
    for (const name of Object.keys(config.headers)) {
      if (UNSETTABLE_HEADERS.includes(name.toLowerCase())) problems.push({ message: `header '${name}' is set by the HTTP client and cannot be configured`, path: ['headers', name], atKey: true });
    }
    for (const key of ['timeout', 'cache_ttl'] as const) {
      const value = config[key];
      if (value === undefined) continue;
      try {
        parseDuration(value, 's', key === 'timeout' ? MAX_TIMEOUT_SECONDS : MAX_CACHE_TTL_SECONDS);
      } catch (error) {
        problems.push({ message: error instanceof Error ? error.message : String(error), path: [key] });
      }
    }
    return problems;
  },
  create(config, engine) {
    const seconds = (key: 'timeout' | 'cache_ttl', max: number, value: number | string): number => {
      try {
        return parseDuration(value, 's', max);
      } catch (error) {
        throw error instanceof ConfigError ? new ConfigError(error.code, error.message, [key]) : error;
      }
    };
    const limits = { timeoutMs: seconds('timeout', MAX_TIMEOUT_SECONDS, config.timeout) * 1000, maxBytes: config.max_bytes };
    const cache = config.cache_ttl === undefined ? undefined : new AnswerCache<UpstreamAnswer>(seconds('cache_ttl', MAX_CACHE_TTL_SECONDS, config.cache_ttl), () => engine.now());
    const url = engine.compileTemplate(config.url, { encode: encodeUrlValue });
    const headers = engine.compileTemplate(withContentType(config));
    const body = config.body === undefined ? undefined : engine.compileTemplate(config.body);
    const encodeBody = (value: unknown): string => (typeof config.body === 'string' ? stringOf(value) : JSON.stringify(value ?? null));
    const host = configuredHost(config.url);
    let open = 0;

    async function limited(call: ReturnType<typeof resolveCall>): Promise<UpstreamAnswer> {
      // A slow upstream and a flood of requests must not pile up sockets without bound.
      if (open >= config.max_concurrency) throw new UpstreamFailure('busy');
      open += 1;
      try {
        return await callUpstream(engine.http, call, limits);
      } finally {
        open -= 1;
      }
    }

    return async function httpRequest(flow, next) {
      let answer: UpstreamAnswer;
      let where = { host, path: '' };
      let outcome: CacheOutcome = 'called';
      try {
        const call = resolveCall(config.method, stringOf(url(flow)), headers(flow), body ? encodeBody(body(flow)) : undefined);
        where = { host: call.url.host, path: call.url.pathname };
        if (cache) {
          const key = AnswerCache.key([call.method, call.url.href, call.headers, call.body]);
          const cached = await cache.get(key, () => limited(call));
          // A copy: a later valve changing its answer must not change what the cache holds.
          answer = structuredClone(cached.value);
          outcome = cached.outcome;
        } else answer = await limited(call);
      } catch (error) {
        if (!(error instanceof UpstreamFailure)) throw error; // a bug: server_error, not on_error
        logCall(flow, config.method, where, error.status, error.outcome, 'warn');
        if (config.on_error === 'continue') return next();
        // A 503 says when to come back, as the engine's other outage answers do (RFC 9110 section 10.2.3).
        const headers = config.on_error === 'temporarily_unavailable' ? { 'retry-after': RETRY_AFTER_SECONDS } : undefined;
        throw new OAuthError(config.on_error, FAILURE_DESCRIPTION, { headers, detail: `HttpRequest ${config.method} ${where.host}${where.path}: ${error.outcome}` });
      }
      logCall(flow, config.method, where, answer.status, outcome, 'info');
      flow.state[config.dest] = answer;
      await next();
    };
  },
});

/**
 * A value as it goes into the URL. encodeURIComponent throws on a lone surrogate, which a
 * JSON answer (`\ud800`) can put into the flow: such a call is refused like any other whose
 * URL a value would spoil, so on_error answers, not server_error (attack review).
 */
function encodeUrlValue(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw new UpstreamFailure('refused');
  }
}

/** A JSON body is sent as application/json, a string one as text, unless the config says otherwise. */
function withContentType(config: HttpRequestConfig): Record<string, string> {
  if (config.body === undefined || Object.keys(config.headers).some((h) => h.toLowerCase() === 'content-type')) return config.headers;
  return { ...config.headers, 'content-type': typeof config.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' };
}

function stringOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Never headers (credentials), body or query string: those may carry secrets and personal data. */
function logCall(flow: Flow, method: string, where: { host: string; path: string }, status: number | undefined, outcome: string, level: 'info' | 'warn'): void {
  flow.log[level]({ upstream: { method, host: where.host, path: where.path, status, outcome } }, 'HttpRequest call');
}
