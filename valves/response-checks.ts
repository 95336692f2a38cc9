/**
 * What `sluice check` says about a token response a pipe builds from fields of its own
 * (TokenResponse's `fields`, and FortifiedID's JsonObjectCreate `src` under
 * `client_credentials`). Two traps of FortifiedID's documented client_credentials pipe:
 *
 * - `expires_in` written as a number beside CreateJwt's `jwt_ttl` (minutes, as in
 *   FortifiedID): when they disagree, clients refresh too late (their token is refused
 *   before they expect) or too early (RFC 6749 section 5.1: expires_in is the token's lifetime);
 * - `scope` as a constant: RFC 6749 section 5.1 says the response's scope is the granted one,
 *   and a client trusts it to know what it holds.
 */
import { hasTemplate, parseDuration, parseTemplate, statePath, type ValveProblem } from '../engine/index.js';

/** A valve before the response builder, as check() sees it. */
export interface ValveBefore {
  readonly name: string;
  readonly config: unknown;
}

interface IssuedJwt {
  readonly dest: string;
  readonly seconds: number;
  readonly written: number | string;
}

/** The JWTs CreateJwt valves before this one issue, with their lifetimes. */
function issuedJwts(before: readonly ValveBefore[]): IssuedJwt[] {
  const out: IssuedJwt[] = [];
  for (const valve of before) {
    if (valve.name !== 'CreateJwt' || valve.config === null || typeof valve.config !== 'object') continue;
    const { dest = 'access_token', jwt_ttl: written = 60 } = valve.config as { dest?: string; jwt_ttl?: number | string };
    try {
      out.push({ dest, seconds: parseDuration(written, 'm'), written });
    } catch {
      // CreateJwt's own schema reports a bad jwt_ttl.
    }
  }
  return out;
}

/** The dest a value that is exactly `${item.X}` (`${state.X}`, `${items[0].X}`) names. */
function destNamed(value: unknown): string | undefined {
  if (typeof value !== 'string' || !hasTemplate(value)) return undefined;
  let parts;
  try {
    parts = parseTemplate(value);
  } catch {
    return undefined; // the template check reports it
  }
  const [only] = parts;
  const read = parts.length === 1 && typeof only !== 'string' ? only?.plain : undefined;
  const path = read && statePath(read.namespace, read.path);
  return path?.length === 1 ? path[0] : undefined;
}

/** The issued token an access_token template names, else the last one. */
function tokenFor(accessToken: unknown, tokens: readonly IssuedJwt[]): IssuedJwt | undefined {
  const named = destNamed(accessToken);
  return tokens.find((t) => t.dest === named) ?? tokens.at(-1);
}

/** A constant number: 3600, '3600' or FortifiedID's '@int:3600' / '@long:3600'. */
function constantSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || hasTemplate(value)) return undefined;
  const digits = /^(?:@(?:int|long|number):)?\s*(\d+)\s*$/.exec(value)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

function ttlText(token: IssuedJwt): string {
  return typeof token.written === 'number' ? `jwt_ttl ${token.written} (minutes) = ${token.seconds} seconds` : `jwt_ttl ${token.written} = ${token.seconds} seconds`;
}

/**
 * The problems of a response object `fields` found under `key` of the builder's config.
 * `replaced` says, by field, when the builder sets its own value over it (TokenResponse does
 * for expires_in and scope), so the message says what clients see instead.
 */
export function responseProblems(fields: Record<string, unknown> | undefined, key: string, before: readonly ValveBefore[], replaced: Readonly<Record<string, string>> = {}): ValveProblem[] {
  if (!fields) return [];
  const problems: ValveProblem[] = [];
  const replacedNote = (name: string) => (Object.hasOwn(replaced, name) ? `; ${replaced[name]}` : '');
  const seconds = constantSeconds(fields.expires_in);
  const token = tokenFor(fields.access_token, issuedJwts(before));
  if (seconds !== undefined && token && seconds !== token.seconds) {
    problems.push({
      severity: 'warning', path: [key, 'expires_in'],
      message: `'expires_in' is ${seconds} seconds, but the token under '${token.dest}' lives ${ttlText(token)}: clients renew by expires_in (RFC 6749 section 5.1)${replacedNote('expires_in')}`,
    });
  }
  const scope = fields.scope;
  if (scope !== undefined && !(typeof scope === 'string' && hasTemplate(scope))) {
    // FortifiedID's documented pipe has no ScopeCheck; there, the advised ${request.scope} is empty.
    const scopeCheckNote = before.some((v) => v.name === 'ScopeCheck') ? '' : " with a ScopeCheck before it (this pipe has none, so nothing is granted and '${request.scope}' is empty; ScopeCheck grants from the RP's scopes)";
    problems.push({
      severity: 'warning', path: [key, 'scope'],
      message: `'scope' is the constant ${JSON.stringify(scope)}, not the granted scope: clients read it as what they hold (RFC 6749 section 5.1); use '\${request.scope}'${scopeCheckNote}${replacedNote('scope')}`,
    });
  }
  return problems;
}
