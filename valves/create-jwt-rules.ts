/**
 * What `sluice check` refuses or warns about in CreateJwt's jwt_headers and jwt_claims.
 * The config author is trusted, but a token's identity claims must not be chosen by the
 * caller, and a header must not steer verifiers away from the published keys.
 */
import { hasTemplate, parseTemplate, readsCallerChosen, REQUEST_NAMESPACES, statePath, type ConfigPath, type PathRead, type TemplateExpression as Expression, type ValveCheckContext, type ValveProblem } from '../engine/index.js';

export interface JwtRulesConfig {
  jwt_headers: Record<string, unknown>;
  jwt_claims: Record<string, unknown>;
  allow_request_claims?: Record<string, unknown>;
}

/**
 * A lookup table without a prototype: config keys such as `constructor` or `toString` are
 * names like any other, not Object.prototype's members.
 */
function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

const KEYSTORE = 'comes from the keystore';
const JWE_ONLY = 'is a JWE member (RFC 7516 section 4.1); this token is a JWS, and a JWS carrying it may be taken for a JWE';
/** JOSE header members a config may not set, and why. */
const REFUSED_HEADERS: Readonly<Record<string, string>> = table({
  alg: `${KEYSTORE} (set the valve's alg instead)`,
  kid: KEYSTORE,
  // RFC 8725 section 3.10: key references in a token must not be trusted; verifiers must use the published /jwks.
  jku: 'points verifiers at another key set (RFC 7515 section 4.1.2); they must use the published /jwks (RFC 8725 section 3.10)',
  x5u: 'points verifiers at another certificate (RFC 7515 section 4.1.5); they must use the published /jwks (RFC 8725 section 3.10)',
  jwk: 'embeds a key in the token (RFC 7515 section 4.1.3); a verifier that trusted it would accept any signer',
  x5c: 'embeds a certificate chain (RFC 7515 section 4.1.6); keystores publish keys, and a config-chosen chain would not match the signing key',
  crit: 'names extensions a verifier must understand or reject the token (RFC 7515 section 4.1.11); Sluice implements none',
  b64: 'changes what is signed (RFC 7797); Sluice always signs the encoded payload, so verifiers would reject or misread the token',
  enc: JWE_ONLY, zip: JWE_ONLY, epk: JWE_ONLY, apu: JWE_ONLY, apv: JWE_ONLY, iv: JWE_ONLY, tag: JWE_ONLY, p2s: JWE_ONLY, p2c: JWE_ONLY,
});

/** RFC 7519 section 2 NumericDate claims (sections 4.1.4-4.1.6). */
const TIME_CLAIMS = ['exp', 'iat', 'nbf'];

/**
 * Claims that say who the token is for, what it allows, or which token it is: never the
 * caller's choice unguarded. jti names the token for revocation and replay detection (RFC
 * 7519 section 4.1.7); cnf binds it to a key the caller never proved it holds (RFC 7800).
 */
export const IDENTITY_CLAIMS = ['iss', 'sub', 'aud', 'client_id', 'scope', 'jti', 'cnf'];

/** Claims that are a single string (RFC 7519 section 4.1, RFC 9068 section 2.2, RFC 8693 section 4.3). */
const STRING_CLAIMS = ['iss', 'sub', 'client_id', 'scope'];

/** The furthest ahead a literal `exp` may be: the same bound as jwt_ttl. */
const MAX_LITERAL_EXP_SECONDS = 366 * 24 * 3600;

/**
 * How far a `${request.…}` field is under the caller's control. `caller`: taken as sent
 * (form parameters; audience and resource, which only ScopeCheck bounds, into grant.audience).
 * `requested`: sent by the caller but bounded by ScopeCheck. Everything else in `request`
 * (client_id once authenticated, grant_type, ip) and the other namespaces is trusted, but
 * for the state and claims paths earlier valves fill from the request (`callerChosen`).
 *
 * `${request.scope}` is the GRANTED scope (as in FortifiedID pipes; engine/namespaces.ts), so
 * it is trusted; `${request.requested_scope}` is what the caller asked for: empty when nothing
 * was asked for, a list rather than RFC 9068's string, and unchecked without ScopeCheck.
 */
const REQUEST_FIELDS: Readonly<Record<string, 'caller' | 'requested'>> = table({
  params: 'caller',
  audience: 'caller',
  resource: 'caller',
  at_lifetime: 'caller',
  state: 'caller',
  nonce: 'caller',
  jti: 'caller',
  requested_scope: 'requested',
});

type Control = 'caller' | 'requested' | 'trusted';

/** No state or claims path holds what the caller sends (a valve checked on its own). */
const NONE: ReadonlySet<string> = new Set();

function readControl(read: PathRead, chosen: ReadonlySet<string>): Control {
  if (readsCallerChosen(read, chosen)) return 'caller';
  if (read.namespace !== 'request') return 'trusted';
  const [field] = read.path;
  // `${request}` as a whole holds the form parameters, so the caller fills it.
  if (field === undefined) return 'caller';
  return REQUEST_FIELDS[field] ?? 'trusted';
}

/** The most control any path an expression reads has: `${request.params.x == 'a'}` is the caller's too. */
function controlOf(expr: Expression, chosen: ReadonlySet<string>): Control {
  return strongest(expr.reads.map((read) => readControl(read, chosen)));
}

function strongest(controls: readonly Control[]): Control {
  return controls.includes('caller') ? 'caller' : controls.includes('requested') ? 'requested' : 'trusted';
}

/**
 * Whether an expression standing alone yields a list or an object rather than one value:
 * a whole namespace (`${request}`), or a list or map field itself (`${request.scope}`,
 * `${client.attributes}`). Inside a longer string it is joined into text instead.
 */
function yieldsStructure(expr: Expression): boolean {
  // `a || b` gives one of its operands, which may be structure; comparisons give booleans.
  if (expr.ast.kind === 'logical') return expr.reads.some((read) => pathYieldsStructure(read));
  return expr.plain !== undefined && pathYieldsStructure(expr.plain);
}

function pathYieldsStructure(read: PathRead): boolean {
  // Valve outputs in any spelling (`${items[0]}` is the whole state, as `${item}` is).
  const state = statePath(read.namespace, read.path);
  if (state) return state.length === 0;
  const namespaces: Readonly<Record<string, unknown>> = REQUEST_NAMESPACES;
  if (!Object.hasOwn(namespaces, read.namespace)) return false;
  const shape = namespaces[read.namespace];
  const [field, ...rest] = read.path;
  if (typeof shape === 'string') return shape !== 'value' && field === undefined;
  if (field === undefined) return true;
  const fields = shape as Readonly<Record<string, string>>;
  return Object.hasOwn(fields, field) && fields[field] !== 'value' && rest.length === 0;
}

interface FoundTemplate {
  readonly path: ConfigPath;
  readonly text: string;
  /** The most caller control any of its expressions has. */
  readonly control: Control;
  readonly expressions: readonly Expression[];
  /** The template is exactly one expression, so it keeps that expression's type. */
  readonly alone: boolean;
}

/** Every template string inside a config value, with its path and the most caller control it has. */
function templates(value: unknown, path: ConfigPath, chosen: ReadonlySet<string> = NONE): FoundTemplate[] {
  if (typeof value === 'string') {
    if (!hasTemplate(value)) return [];
    let parts;
    try {
      parts = parseTemplate(value);
    } catch {
      return []; // a syntax error is reported by the template check
    }
    const expressions = parts.filter((p): p is Expression => typeof p !== 'string');
    const control = strongest(expressions.map((e) => controlOf(e, chosen)));
    return [{ path, text: value, control, expressions, alone: parts.length === 1 && expressions.length === 1 }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => templates(v, [...path, i], chosen));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => templates(v, [...path, k], chosen));
  return [];
}

/**
 * The paths (below `path`) of the templates in `value` that take what the caller sends as
 * it sent it, directly or through the state and claims paths in `chosen`.
 */
export function callerChosen(value: unknown, path: ConfigPath, chosen: ReadonlySet<string> = NONE): ConfigPath[] {
  return templates(value, path, chosen).filter((t) => t.control === 'caller').map((t) => t.path);
}

/**
 * The flow paths a valve fills from the caller (ValveDefinition.fillsFromCaller) when it
 * puts `values` under `flowPrefix` ("state", "state.DEST", "claims"): one per template that
 * takes what the caller sends, at its place inside the value (`state.who.id`). The requested
 * scope counts: once copied, nothing knows a ScopeCheck ran before the copy is read, so a
 * copy read as a token's scope would be whatever scope the caller asked for.
 */
export function flowPathsFromCaller(values: Record<string, unknown>, flowPrefix: string, chosen: ReadonlySet<string>): string[] {
  return templates(values, [], chosen).filter((t) => t.control !== 'trusted').map((t) => [flowPrefix, ...t.path].join('.'));
}

/** A NumericDate from config: a whole number of seconds, or exactly `${now}`. */
function isNumericDate(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  if (typeof value !== 'string' || !hasTemplate(value)) return false;
  try {
    const parts = parseTemplate(value);
    return parts.length === 1 && typeof parts[0] !== 'string' && parts[0]!.plain?.namespace === 'now';
  } catch {
    return true; // a syntax error is reported by the template check
  }
}

function headerProblems(headers: Record<string, unknown>, chosen: ReadonlySet<string>): ValveProblem[] {
  const problems: ValveProblem[] = [];
  for (const name of Object.keys(headers)) {
    const why = REFUSED_HEADERS[name];
    if (why) problems.push({ message: `header '${name}' ${why}`, path: ['jwt_headers', name], atKey: true });
  }
  for (const t of templates(headers, ['jwt_headers'], chosen).filter((t) => t.control !== 'trusted')) {
    problems.push({ message: `a JOSE header cannot come from the request ('${t.text}')`, path: t.path });
  }
  return problems;
}

const OVERRIDE_WARNINGS: Readonly<Record<string, string>> = table({
  exp: "'exp' replaces the lifetime jwt_ttl gives; the response's expires_in follows it",
  iat: "'iat' replaces the time the token was issued; verifiers that bound a token's age by it (RFC 7519 section 4.1.6) are misled",
  nbf: "'nbf' replaces the time from which the token is valid (RFC 7519 section 4.1.5); a verifier refuses it until then",
  aud: "'aud' replaces the audiences CreateJwt sets (what ScopeCheck granted from the RP's audiences; without ScopeCheck, the issuer): every token says this whatever the client asked for or may have",
  jti: "'jti' replaces the unique token id; replay detection and revocation by jti need it unique (RFC 7519 section 4.1.7)",
});

/**
 * A literal exp is one fixed instant for every token: refused when already past (every
 * token born expired) or further ahead than jwt_ttl may reach (a token that never ends).
 */
function literalExpProblem(value: unknown, now: number): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
  if (value <= now) return `'exp' ${value} is in the past: every token would be issued expired; use jwt_ttl for a lifetime`;
  if (value > now + MAX_LITERAL_EXP_SECONDS) return `'exp' ${value} is more than a year ahead: tokens would stay valid that long; use jwt_ttl (at most one year)`;
  return undefined;
}

/** What a template in claim `name` may not do, beyond who controls it. */
function shapeProblems(name: string, t: FoundTemplate): ValveProblem[] {
  const [expr] = t.expressions;
  if (!STRING_CLAIMS.includes(name) || !t.alone || !expr || !yieldsStructure(expr)) return [];
  return [{
    path: t.path,
    message: `'${name}' must be a string, but '${t.text}' yields a list or an object${name === 'scope' ? ' (RFC 9068 section 2.2.3: scope is space-separated text; CreateJwt already sets it from the granted scope)' : ''}`,
  }];
}

/**
 * ScopeCheck fills `grant`; without it before this valve, grant.scope, grant.audience and
 * request.scope (the granted scope as text) are empty. FortifiedID's documented pipe has no
 * ScopeCheck, so its `scope: ${request.scope}` would silently drop the claim.
 */
function readsUnboundedGrant(t: FoundTemplate): boolean {
  return t.expressions.some((e) => e.reads.some((r) => (r.namespace === 'grant' && r.path[0] !== 'type') || (r.namespace === 'request' && r.path[0] === 'scope')));
}

/** What the caller's control over a claim's templates means for that claim (not opted in by allow_request_claims). */
function requestControlProblems(name: string, found: readonly FoundTemplate[], scopeChecked: boolean, choosable: boolean): ValveProblem[] {
  const problems: ValveProblem[] = [];
  if (!IDENTITY_CLAIMS.includes(name)) {
    for (const t of found.filter((t) => t.control === 'caller')) {
      problems.push({
        severity: 'warning', path: t.path,
        message: `a caller chooses this claim: '${name}' is whatever the request sends ('${t.text}'); resource servers must not trust it for authorisation`,
      });
    }
    return problems;
  }
  for (const t of found) {
    if (t.control === 'caller') {
      problems.push({
        path: t.path,
        message: `'${name}' would be whatever the caller sends ('${t.text}'); use \${grant.…} or \${client.…}, or let the client choose from a list with ${choosable ? '' : "CreateJwt's "}allow_request_claims.${name}`,
      });
    } else if (t.control === 'requested' && !scopeChecked) {
      problems.push({
        path: t.path,
        message: `'${t.text}' is whatever scope the caller asks for: no ScopeCheck before this valve bounds it; add ScopeCheck before CreateJwt, or leave scope to CreateJwt, which sets the granted scope`,
      });
    } else if (t.control === 'requested') {
      problems.push({
        severity: 'warning', path: t.path,
        message: `'${t.text}' is the scope the caller asked for, not the granted one: empty when none was asked for; CreateJwt already sets the granted scope`,
      });
    }
  }
  return problems;
}

/**
 * Where the claims are in a valve's config (`key`), and which of them the caller may choose
 * from a list (`guarded`: CreateJwt's allow_request_claims; undefined for a valve that has
 * no such list, such as ClaimsSet).
 */
export interface ClaimsAt {
  readonly key: string;
  readonly guarded: Record<string, unknown> | undefined;
}

/** The rules for claims a valve puts into the tokens of the flow (CreateJwt's jwt_claims, ClaimsSet's claims). */
export function claimProblems(claims: Record<string, unknown>, at: ClaimsAt, context: JwtCheckContext): ValveProblem[] {
  const { issuer } = context;
  const scopeChecked = (context.valvesBefore ?? []).includes('ScopeCheck');
  const problems: ValveProblem[] = [];
  const guarded = at.guarded ?? {};
  for (const [name, value] of Object.entries(claims)) {
    const path = [at.key, name];
    if (TIME_CLAIMS.includes(name) && !isNumericDate(value)) {
      problems.push({ message: `'${name}' must be a whole number of seconds since the epoch or '\${now}' (RFC 7519 section 2, NumericDate)`, path });
    }
    const expProblem = name === 'exp' ? literalExpProblem(value, Math.floor(Date.now() / 1000)) : undefined;
    if (expProblem) problems.push({ message: expProblem, path });
    const found = templates(value, path, context.callerChosen ?? NONE);
    for (const t of found) problems.push(...shapeProblems(name, t));
    if (!scopeChecked) {
      for (const t of found.filter(readsUnboundedGrant)) {
        problems.push({
          severity: 'warning', path: t.path,
          message: `'${t.text}' reads the granted scope or audience, which no ScopeCheck before this valve decides: it is empty here, so tokens carry none; add ScopeCheck before CreateJwt (it grants what the caller asks for from the RP's scopes)`,
        });
      }
    }
    if (name === 'iss' && value !== issuer) {
      problems.push({
        severity: 'warning', path, atKey: true,
        message: `'iss' replaces the server's issuer ${issuer ? `'${issuer}'` : '(unresolved here: see the error at issuer)'}: resource servers that check iss against discovery (RFC 8414 section 3.3, RFC 9068 section 4) must be configured with '${String(value)}' instead`,
      });
    }
    const warning = OVERRIDE_WARNINGS[name];
    if (warning) problems.push({ severity: 'warning', message: warning, path, atKey: true });
    if (!Object.hasOwn(guarded, name)) problems.push(...requestControlProblems(name, found, scopeChecked, at.guarded !== undefined));
  }
  return problems;
}

function allowListProblems(claims: Record<string, unknown>, guarded: Record<string, unknown>, chosen: ReadonlySet<string>): ValveProblem[] {
  const problems: ValveProblem[] = [];
  for (const [name, list] of Object.entries(guarded)) {
    if (!Object.hasOwn(claims, name)) {
      problems.push({ message: `allow_request_claims.${name}: jwt_claims sets no '${name}'`, path: ['allow_request_claims', name], atKey: true });
    }
    for (const t of templates(list, ['allow_request_claims', name], chosen).filter((t) => t.control !== 'trusted')) {
      problems.push({ message: `the allowed values cannot come from the request ('${t.text}')`, path: t.path });
    }
  }
  return problems;
}

export type JwtCheckContext = Pick<ValveCheckContext, 'issuer'> & Partial<Pick<ValveCheckContext, 'valvesBefore' | 'callerChosen'>>;

export function checkJwtConfig(config: JwtRulesConfig, context: JwtCheckContext): ValveProblem[] {
  const guarded = config.allow_request_claims ?? {};
  const chosen = context.callerChosen ?? NONE;
  return [
    ...headerProblems(config.jwt_headers, chosen),
    ...claimProblems(config.jwt_claims, { key: 'jwt_claims', guarded }, context),
    ...allowListProblems(config.jwt_claims, guarded, chosen),
  ];
}
