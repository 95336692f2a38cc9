/**
 * The public plugin API. Built-in valves use exactly this and nothing more.
 *
 * A valve is `meta` (plain data: name, config schema) plus `create(config, engine)`,
 * called once at load with the validated config, returning the per-request function.
 */
import type { Logger } from 'pino';
import type { Client, Flow } from './flow.js';
import type { InlineKeystoreConfig } from './keystores/inline.js';
import type { Keystore } from './keystores/types.js';
import type { Store } from './store/types.js';
import type { ConfigErrorCode, ConfigPath } from './errors.js';
import type { TemplateOptions } from './template.js';
import type { HttpClient } from './http-client.js';
import type { ActiveTokenRecord } from './tokens/active-token-record.js';
import type { FromSchema, ValveConfig } from './config-types.js';

export type Next = () => Promise<void>;
/** The per-request step. Call `await next()` to run the rest of the pipe. */
export type Valve = (flow: Flow, next: Next) => Promise<void>;

/** A JSON Schema object (draft 2020-12 / draft-07 subset ajv understands). */
export type JsonSchema = Record<string, unknown>;

/**
 * A compiled `${…}` template: resolving is a cheap walk, no parsing. One without any
 * request-time expression also carries its value as `constant`, so that a valve can do
 * its work on it once, at load (CreateJwt encodes a constant JOSE header once).
 */
export type Template<T = unknown> = ((flow: Flow) => T) & { readonly constant?: T };

/** A compiled expression (the exec_if language): never throws, never returns a function. */
export type CompiledExpression = (flow: Flow) => unknown;

export interface ValveContext {
  readonly pipeId: string;
  /** The valve's index in its pipe. */
  readonly index: number;
}

/** A problem a valve's check() finds in its own config; the engine places it in the YAML. */
export interface ValveProblem {
  /** Default 'error': the config does not load. A warning is printed, and the config loads. */
  readonly severity?: 'error' | 'warning';
  /** Default 'valve_config'. */
  readonly code?: ConfigErrorCode;
  readonly message: string;
  /** Relative to the valve's `config`; default: the config itself. */
  readonly path?: ConfigPath;
  /** Point at the key rather than its value. */
  readonly atKey?: boolean;
}

/** What check() may look at besides the valve's config. */
export interface ValveCheckContext extends ValveContext {
  readonly issuer: string;
  /** The registered clients whose pipes include this one (for any grant type). */
  readonly clients: readonly Client[];
  /**
   * The names of the enabled valves before this one in its pipe, in order: what has run by
   * the time this valve does (whether ScopeCheck has bounded the grant, say).
   */
  readonly valvesBefore: readonly string[];
  /** The names of the enabled valves after this one in its pipe, in order. */
  readonly valvesAfter: readonly string[];
  /**
   * Whether the client is proven when this valve runs: it stands after the authenticating
   * valve, or the pipe has none and the engine authenticates before the pipe runs.
   */
  readonly clientAuthenticated: boolean;
  /**
   * The flow paths ("state.who", "state.dest.name", "claims.foo"; `item.x`, `items[0].x` are `state.x`)
   * that enabled valves before this one fill with what the caller sends (fillsFromCaller),
   * directly or through other such paths. Test a read with `readsCallerChosen`.
   */
  readonly callerChosen: ReadonlySet<string>;
  /**
   * The enabled valves before this one, with their configs as validated (defaults filled):
   * a valve that builds the response compares it with the token issued before it (jwt_ttl).
   * Optional: check contexts built before it existed lack it.
   */
  readonly configsBefore?: readonly { readonly name: string; readonly config: unknown }[];
}

/** Dest names (see `reads`/`writes`): a fixed list, or computed from the valve's config. */
export type DestNames<C> = readonly string[] | ((config: C) => readonly string[]);

/** Runs a pipe's enabled valves on a flow, as one step (see EngineServices.pipe). */
export type PipeRunner = (flow: Flow) => Promise<void>;

/** Services the engine gives valves at create() time. */
export interface EngineServices {
  readonly issuer: string;
  /** The token endpoint URL, as published in discovery. */
  readonly tokenEndpoint: string;
  readonly logger: Logger;
  /**
   * The engine's store for state that outlives a request (expiring keys, counters): see
   * engine/store/types.ts. Memory by default; shared by every pipe.
   */
  readonly store: Store;
  /** A loaded keystore by id, or undefined. */
  keystore(id: string): Keystore | undefined;
  /** Every keystore id, for helpful error messages. */
  keystoreIds(): readonly string[];
  /**
   * A keystore written inline in a valve's config (FortifiedID's CreateJwt `keystore:
   * {path, password, type}`), loaded as a `keystores:` entry is and published at /jwks; a key
   * already published is that keystore. Call it in create(). Throws ConfigError with a path
   * relative to `config` (['path'], ['password'], ['alias']); messages never hold the password.
   */
  inlineKeystore(config: InlineKeystoreConfig): Promise<Keystore>;
  /**
   * Compile a config value (any JSON: string, list, object) holding `${…}` request-time
   * expressions. The engine has already checked their syntax at load, with YAML positions.
   * A value that is exactly one `${…}` keeps its type; inside a longer string it is text
   * (passed through `options.encode` when given, e.g. encodeURIComponent for a URL).
   */
  compileTemplate<T = unknown>(value: T, options?: TemplateOptions): Template<T>;
  /**
   * Compile an expression of the exec_if language (`request.params.x === 'y' && …`) once,
   * in create(). Throws ConfigError (code 'expression') for a syntax error, an unknown
   * namespace or field, or a call of anything but startsWith, endsWith, includes. Give
   * `options.path`, the config key the source came from, and check points inside it.
   */
  compileExpression(source: string, options?: { path?: ConfigPath }): CompiledExpression;
  /**
   * Authenticate the flow's client by its registered token_endpoint_auth_method. Throws
   * OAuthError invalid_client; on success sets flow.authentication.
   */
  authenticateClient(flow: Flow): Promise<void>;
  /**
   * Verify the grant's token (JWT-bearer assertion, token-exchange subject token) against
   * the trusted issuers (all, or those named); on success sets flow.assertion, whose claims
   * templates read as `${assertion.…}`. Throws OAuthError invalid_grant.
   */
  verifyAssertion(flow: Flow, options?: { issuers?: readonly string[] }): Promise<void>;
  /** The ids of the configured trusted issuers. */
  trustedIssuerIds(): readonly string[];
  /** The platform roles the config declares (`roles:`). */
  readonly roles: readonly string[];
  /** Current time in seconds since the epoch (a seam for tests). */
  now(): number;
  /**
   * Whether an access token this server issued is still active: ours, unexpired and not
   * revoked (a JWT's deny-list entry; an opaque token's store entry). Throws
   * temporarily_unavailable when the store cannot answer.
   */
  tokenIsActive(token: string): Promise<boolean>;
  /**
   * For a valve that hands out one token many times (TokenCache): what tells later that
   * `token` is still active without verifying it again, or undefined when it is not active
   * now (tokenIsActive's full check). Plain data: it may be kept in the store.
   */
  activeTokenRecord(token: string): Promise<ActiveTokenRecord | undefined>;
  /**
   * Whether the token of `record` is still active: unexpired, not revoked, for our issuer
   * now, and signed by a key resource servers can still get (a rotated-out key leaves /jwks). A Set lookup and
   * one store read; a damaged record is inactive. Throws temporarily_unavailable when the
   * store cannot answer.
   */
  recordIsActive(record: ActiveTokenRecord): Promise<boolean>;
  /**
   * The engine's HTTP client: one exchange bounded by a timeout and a body size, redirects
   * never followed (engine/http-client.ts). Throws HttpClientError with a code.
   */
  readonly http: HttpClient;
  /**
   * The runner of pipe `id`, resolved when it runs (the pipe may be compiled after the
   * caller): its valves run on the caller's flow and their chain ends where the pipe ends.
   * A valve that uses it declares `calls`, so that check refuses unknown ids and cycles.
   */
  pipe(id: string): PipeRunner;
}

export interface ValveDefinition<C = Record<string, unknown>> {
  /** PascalCase, as written in `valves: - name:`. */
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of `config`. Defaults (`default:`) are filled in before create(). */
  readonly configSchema?: JsonSchema;
  /**
   * The valve authenticates the client. A token pipe without such a valve gets the client
   * authenticated by the engine before it runs.
   */
  readonly authenticatesClient?: boolean;
  /**
   * The valve verifies the grant's token (engine.verifyAssertion). A pipe bound to a grant
   * that presents a token (JWT-bearer, token exchange) must have one; check says so.
   */
  readonly verifiesAssertion?: boolean;
  /**
   * The valve is safe to run for a caller that has not yet proved who it is (a rate limit,
   * say). Only such valves may stand before the authenticating valve in a pipe.
   */
  readonly runsBeforeAuthentication?: boolean;
  /**
   * The valve sets flow.response (always, or for some configs). A token pipe without one
   * can only fail; check warns. JsonObjectCreate answers when its dest is
   * `client_credentials` (RESPONSE_DEST).
   */
  readonly answers?: boolean | ((config: C) => boolean);
  /**
   * The `dest` names the valve writes (flow.state / flow.issued) for later valves. A valve
   * that does not say writes nothing, as far as `check` knows.
   */
  readonly writes?: DestNames<C>;
  /**
   * The `dest` names the valve needs an earlier enabled valve to have written. `check`
   * refuses a pipe where none does (a disabled CreateJwt before TokenResponse, say).
   */
  readonly reads?: DestNames<C>;
  /**
   * The ids of the pipes the valve runs (engine.pipe). `check` refuses an unknown id and a
   * cycle, and counts what those pipes write as written by this valve. A called pipe's
   * valves never count as authenticating the client or verifying the grant for the caller.
   */
  readonly calls?: DestNames<C>;
  /** The valve adds to flow.claims; `check` warns when it stands after a valve that reads them. */
  readonly setsClaims?: boolean;
  /** The valve puts flow.claims into what it issues (CreateJwt); claims set after it are lost. */
  readonly readsClaims?: boolean;
  /**
   * The flow paths ("state.NAME", "claims.NAME") the valve fills with what the caller sends,
   * given those earlier valves fill so (`callerChosen`: a copy of a copy is the caller's
   * too). `check` passes them to later valves as ValveCheckContext.callerChosen, so that an
   * identity claim read from them is refused. Plain data in, paths out; must not throw.
   */
  fillsFromCaller?(config: C, callerChosen: ReadonlySet<string>): readonly string[];
  /**
   * Checks of the config that its JSON Schema cannot express, run by `sluice check` (and at
   * every load) on a schema-valid config, whether the valve is enabled or not. Plain data
   * in, problems out: it must not throw, and it runs independently of create().
   */
  check?(config: C, context: ValveCheckContext): readonly ValveProblem[];
  create(config: C, engine: EngineServices, context: ValveContext): Valve | Promise<Valve>;
}

/**
 * Identity function that gives plugin authors types. The config type comes from the
 * `configSchema` literal (engine/config-types.ts explains what it reads), or from the type
 * argument: `defineValve<MyConfig>({...})`, as the built-in valves do.
 */
export function defineValve<C = FromSchema, const S extends JsonSchema = JsonSchema>(
  definition: ValveDefinition<ValveConfig<C, S>> & { readonly configSchema?: S },
): ValveDefinition<ValveConfig<C, S>> {
  return definition;
}

/** The path a create() puts in a ConfigError: relative to the valve's own config. */
export type { ConfigPath };
