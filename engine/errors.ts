/**
 * Errors are values with codes. Two families:
 *  - OAuthError: a request failed; carries the RFC 6749 §5.2 error code and HTTP status.
 *  - ConfigError: a config is wrong; carries a path into the config so the loader can
 *    point at the YAML node (FILE:LINE:COL).
 * Callers switch on `code`, never on message text.
 */

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token' // RFC 6750 section 3.1, for a bearer token presented to userinfo
  // Not OAuth codes: HTTP-level answers given in the same JSON shape.
  | 'not_found'
  | 'method_not_allowed';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401, // RFC 6749 §5.2: 401 when the client authenticated via a header
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400, // RFC 8707 §2
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_token: 401,
  not_found: 404,
  method_not_allowed: 405,
};

/** Every code an OAuthError of this server may carry (metrics label values come from it). */
export const OAUTH_ERROR_CODES = Object.freeze(Object.keys(STATUS) as OAuthErrorCode[]);

/**
 * Marks OAuth errors across copies of this module: a plugin that brings its own copy of
 * sluice throws errors of another OAuthError class, which `instanceof` would turn into a
 * server_error. Symbol.for is one symbol per process, whatever the copy.
 */
const OAUTH_ERROR_BRAND = Symbol.for('sluice.oauth-error');

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  /** Extra response headers (WWW-Authenticate, Retry-After, …). */
  readonly headers: Readonly<Record<string, string>>;
  /** For the log only, never the response: why, when the description must stay vague. */
  readonly detail: string | undefined;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? STATUS[code];
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }

  get [OAUTH_ERROR_BRAND](): true {
    return true;
  }

  /** The RFC 6749 §5.2 response body. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: describable(this.message) };
  }
}

/**
 * The errors a config may tell a valve to answer with (AssertValue, FlowFail, HttpRequest's
 * on_error): the token endpoint's codes of RFC 6749 section 5.2 and RFC 8707, plus the
 * server's own two. Not invalid_client, which only the authenticator may say (its 401 and
 * timing are equalised), nor unsupported_grant_type, which the engine decides.
 */
export const CONFIGURABLE_ERROR_CODES = [
  'invalid_request',
  'invalid_grant',
  'unauthorized_client',
  'invalid_scope',
  'invalid_target',
  'temporarily_unavailable',
  'server_error',
] as const satisfies readonly OAuthErrorCode[];
export type ConfigurableErrorCode = (typeof CONFIGURABLE_ERROR_CODES)[number];

export interface OAuthErrorOptions {
  status?: number;
  headers?: Record<string, string>;
  detail?: string;
  cause?: unknown;
}

/** An OAuth error, from this copy of sluice or another (a plugin's own install): check by brand, not instanceof. */
export function isOAuthError(value: unknown): value is OAuthError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OAUTH_ERROR_BRAND] === true;
}

/**
 * RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. Messages
 * cite RFCs by section sign, written out so it survives; messages may quote what a client
 * sent, and anything else outside that set becomes '?'.
 */
function describable(text: string): string {
  return text.replace(/§\s*/g, 'section ').replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 300);
}

/**
 * Callable with or without `new` (plugin authors write both): a plain function that
 * returns an object gives that object to `new` too. An arrow function would not.
 */
type Factory<O = OAuthErrorOptions> = {
  (description: string, options?: O): OAuthError;
  new (description: string, options?: O): OAuthError;
};
const E = (code: OAuthErrorCode): Factory =>
  function oauthError(description: string, options?: OAuthErrorOptions) {
    return new OAuthError(code, description, options);
  } as Factory;

export const InvalidRequest = E('invalid_request');
export const InvalidGrant = E('invalid_grant');
export const UnauthorizedClient = E('unauthorized_client');
export const UnsupportedGrantType = E('unsupported_grant_type');
export const InvalidScope = E('invalid_scope');
export const InvalidTarget = E('invalid_target');
export const ServerError = E('server_error');
export const TemporarilyUnavailable = E('temporarily_unavailable');

/** RFC 6749 §5.2 + RFC 6750 §3: invalid_client answers 401 with a challenge. */
export const InvalidClient = function invalidClient(description: string, options: InvalidClientOptions = {}): OAuthError {
  const scheme = options.scheme ?? 'Basic';
  return new OAuthError('invalid_client', description, {
    headers: { 'www-authenticate': `${scheme} realm="sluice", error="invalid_client"` },
    detail: options.detail,
    cause: options.cause,
  });
} as Factory<InvalidClientOptions>;

export interface InvalidClientOptions {
  scheme?: string;
  detail?: string;
  cause?: unknown;
}

/** What a caller is told of a server_error: the request id to quote, never the internals (those are logged). */
export function internalErrorDescription(requestId: string): string {
  return `internal error (request ${requestId}); see the server log`;
}

/** A path into the config document: keys and array indexes, as ajv's instancePath. */
export type ConfigPath = ReadonlyArray<string | number>;

export type ConfigErrorCode =
  | 'yaml_syntax'
  | 'schema'
  | 'unknown_valve'
  | 'unknown_pipe'
  | 'unknown_keystore'
  | 'duplicate_id'
  | 'missing_env'
  | 'unknown_reference'
  | 'file_unreadable'
  | 'keystore_invalid'
  | 'keystore_password'
  | 'keystore_unpublished'
  | 'certificate_expiring'
  | 'key_rotation'
  | 'template'
  | 'expression'
  | 'plugin'
  | 'valve_config';

/**
 * A config problem. `path` is relative to whatever the thrower was given: a valve's
 * create() throws with a path inside its own config, and the engine prefixes it with the
 * valve's location in the document.
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly path: ConfigPath;
  /** Point at the key of the node rather than its value (unknown keys, duplicates). */
  readonly atKey: boolean;
  /** Characters into the string value where the problem is (an expression's), when known. */
  readonly offset: number | undefined;

  constructor(code: ConfigErrorCode, message: string, path: ConfigPath = [], options: { atKey?: boolean; cause?: unknown; offset?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    this.code = code;
    this.path = path;
    this.atKey = options.atKey ?? false;
    this.offset = options.offset;
  }
}
