/**
 * The request-time parameters every grant takes, as OA4MP documents them for its client
 * credentials flow (oa4mp.org/pdf/rfc6749_4_4.pdf): `at_lifetime`, `exp`, `iss`, `state`,
 * `nonce` and `jti`. They are parsed when the request arrives and judged only once the
 * caller is proven (issue 9, item 2): a problem is returned, not thrown, and the token
 * endpoint defers it. That each is sent at most once is already the form's rule (RFC 6749
 * section 3.1).
 */
import { MAX_DURATION_SECONDS } from '../duration.js';
import type { FormParams } from '../endpoints/form.js';
import { InvalidRequest, type OAuthError } from '../errors.js';

/** The parameters valves see, as TokenRequest fields (`${request.nonce}`). */
export interface RequestTimeParams {
  /** Seconds the caller wants its access token to live (a pipe may allow it to shorten the lifetime). */
  readonly at_lifetime?: number;
  /** The caller's string, echoed unaltered in the response. */
  readonly state?: string;
  readonly nonce?: string;
  /** The caller's id for this request; not the token's jti unless a config makes it so. */
  readonly jti?: string;
}

export interface ParsedRequestTimeParams {
  /** The well-formed parameters; a malformed one is left out (and is the problem). */
  readonly fields: RequestTimeParams;
  /** The caller's deadline, milliseconds since the epoch: engine only. */
  readonly deadline?: number | undefined;
  /** The first thing wrong with them, told once the caller is proven. */
  readonly problem?: OAuthError | undefined;
}

/**
 * state, nonce and jti are strings the caller chooses that go back to it (state) or into
 * what valves build: RFC 6749 appendix A.5's VSCHAR (printable ASCII) and a length far
 * above any real use, so that neither the answer nor a claim grows with a caller's whim.
 */
const TEXT = /^[\x20-\x7e]+$/;
export const MAX_TEXT_PARAM_LENGTH = 1024;
const TEXT_PARAMS = ['state', 'nonce', 'jti'] as const;

/** Seconds per unit: Sluice's own (config durations: 90s, 10m, 1h30m, 1d) and OA4MP's spelled ones (600 sec, 10 min). */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
};
const SECONDS = /^\d{1,12}$/;
const COMPOUND = /^(?:\d{1,9}[smhd]){1,4}$/;
const SPELLED = /^(\d{1,12}) ?([a-z]{1,7})\.?$/i;

/**
 * at_lifetime in seconds (OA4MP: "assumed to be in seconds, but units are allowed"), or
 * undefined when it is not a positive duration. Whole seconds, rounded down: a lifetime
 * asked for is never lengthened, not even by rounding. Anything beyond a year is a year,
 * which no configured lifetime exceeds.
 */
export function parseLifetime(text: string): number | undefined {
  let seconds: number | undefined;
  if (SECONDS.test(text)) seconds = Number(text);
  else if (COMPOUND.test(text)) seconds = [...text.matchAll(/(\d+)([smhd])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit!]!, 0);
  else {
    const [, n, unit] = SPELLED.exec(text) ?? [];
    const name = unit?.toLowerCase();
    if (name !== undefined && Object.hasOwn(UNIT_SECONDS, name)) seconds = Number(n) * UNIT_SECONDS[name]!;
  }
  if (seconds === undefined || !(seconds >= 1)) return undefined;
  return Math.min(Math.floor(seconds), MAX_DURATION_SECONDS);
}

/** RFC 7519 section 2 NumericDate: seconds since the epoch, a fraction allowed; twelve digits reach past the year 30000. */
const NUMERIC_DATE = /^\d{1,12}(?:\.\d{1,9})?$/;

/**
 * Parse the request-time parameters of `form`, sent by (and judged for) `clientId`, at
 * `nowMs`. The caller's `exp` is a deadline: already past, the request is refused; in the
 * future, the endpoint answers by then or not at all.
 */
export function parseRequestTimeParams(form: FormParams, clientId: string, nowMs: number): ParsedRequestTimeParams {
  const iss = first(form, 'iss');
  const exp = first(form, 'exp');
  const atLifetime = first(form, 'at_lifetime');
  // The usual request sends none of them: nothing to build, one shared answer.
  if (iss === undefined && exp === undefined && atLifetime === undefined && !anySent(form, TEXT_PARAMS)) return NONE_SENT;
  const fields: { -readonly [K in keyof RequestTimeParams]: RequestTimeParams[K] } = {};
  const problems: OAuthError[] = [];

  // OA4MP: "the issuer of this request. If present it must be the client id". Not
  // invalid_client: the client did authenticate; this parameter's value is wrong.
  if (iss !== undefined && iss !== clientId) problems.push(InvalidRequest('iss must be the client_id of the authenticated client'));

  let deadline: number | undefined;
  if (exp !== undefined) {
    if (!NUMERIC_DATE.test(exp)) problems.push(InvalidRequest('exp must be a time in seconds since the epoch (RFC 7519 section 2, NumericDate)'));
    else if (Number(exp) * 1000 <= nowMs) problems.push(InvalidRequest('exp has passed: the request expired before it was served'));
    else deadline = Number(exp) * 1000;
  }

  if (atLifetime !== undefined) {
    const seconds = parseLifetime(atLifetime);
    if (seconds === undefined) problems.push(InvalidRequest('at_lifetime is not a lifetime of at least one second: send whole seconds (600) or a duration in s, m(in), h(ours) or d(ays), such as 10m, 1h30m or 600 sec'));
    else fields.at_lifetime = seconds;
  }

  for (const name of TEXT_PARAMS) {
    const value = first(form, name);
    if (value === undefined) continue;
    if (value.length > MAX_TEXT_PARAM_LENGTH || !TEXT.test(value)) {
      problems.push(InvalidRequest(`${name} must be at most ${MAX_TEXT_PARAM_LENGTH} printable ASCII characters (RFC 6749 appendix A.5)`));
    } else fields[name] = value;
  }

  return { fields, deadline, problem: problems[0] };
}

/** A parameter's value (each is sent at most once: the form's rule). */
function first(form: FormParams, name: string): string | undefined {
  return form.get(name)?.[0];
}

function anySent(form: FormParams, names: readonly string[]): boolean {
  for (const name of names) if (form.has(name)) return true;
  return false;
}

const NONE_SENT: ParsedRequestTimeParams = Object.freeze({ fields: Object.freeze({}), deadline: undefined, problem: undefined });
