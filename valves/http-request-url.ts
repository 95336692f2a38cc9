/**
 * HttpRequest's URL: the config author chooses where we connect, a caller only fills in
 * values. Each `${…}` inside the URL is percent-encoded (encodeURIComponent), so a value
 * stays inside its path segment or query value: `../admin`, `?x=`, `#` arrive as
 * `..%2Fadmin`, `%3Fx%3D`, `%23`. Two things encoding cannot prevent are refused:
 *  - a template in the scheme, host or port (check error): the caller would pick the server;
 *  - a value that is a whole `.` or `..` path segment: the URL parser (WHATWG URL, which
 *    fetch uses) removes dot segments even when percent-encoded (`%2e%2e`), so
 *    `/users/${x}/roles` with x = `..` would become `/roles`. The path as resolved must be
 *    the path as parsed, or the call is not made.
 */
import type { ValveProblem } from '../engine/index.js';

const ABSOLUTE = /^(https?):\/\/([^/?#]*)/i;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The URL with each expression replaced by `x`, and where the first one starts (-1: none).
 * The escape rule is template.ts's: a run of `$` before `{` of odd length opens an expression.
 */
function withPlaceholders(url: string): { text: string; firstAt: number } {
  let text = '';
  let firstAt = -1;
  let i = 0;
  for (const match of url.matchAll(/(\$+)\{/g)) {
    if (match.index < i || match[1]!.length % 2 === 0) continue;
    const end = url.indexOf('}', match.index);
    if (end < 0) break; // unterminated: the engine's template check reports it
    if (firstAt < 0) firstAt = text.length + (match.index - i);
    text += url.slice(i, match.index) + '$'.repeat((match[1]!.length - 1) / 2) + 'x';
    i = end + 1;
  }
  return { text: text + url.slice(i), firstAt };
}

/** The path as written: from the end of the authority to the first `?` or `#`. */
export function rawPath(url: string): string {
  const authority = ABSOLUTE.exec(url);
  const rest = authority ? url.slice(authority[0].length) : url;
  return rest.replace(/[?#].*$/s, '') || '/';
}

/** A resolved URL's path must survive parsing unchanged (see the module comment). */
export function pathIsAsWritten(resolved: string, parsed: URL): boolean {
  return rawPath(resolved) === parsed.pathname;
}

/** The host (and port) the config names, for the log of a call refused before it is made. */
export function configuredHost(url: string): string {
  try {
    return new URL(withPlaceholders(url).text).host;
  } catch {
    return '';
  }
}

export function urlProblems(url: string): ValveProblem[] {
  const { text, firstAt } = withPlaceholders(url);
  const scheme = ABSOLUTE.exec(text);
  if (!scheme) return [{ message: `url must be an absolute http:// or https:// URL, got '${url}'`, path: ['url'] }];
  const authorityEnd = scheme[0].length;
  if (firstAt >= 0 && firstAt <= authorityEnd) {
    return [{ message: 'url may not have a ${…} in its scheme, host or port: a caller would choose the server; templates belong in the path or query', path: ['url'] }];
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return [{ message: `url '${url}' is not a valid URL`, path: ['url'] }];
  }
  if (parsed.username || parsed.password) return [{ message: 'url may not hold credentials; send them in headers (Authorization)', path: ['url'] }];
  if (!pathIsAsWritten(text, parsed)) {
    return [{ message: `url path must be written as sent: no '.' or '..' segments, no characters that need percent-encoding (parsed as '${parsed.pathname}')`, path: ['url'] }];
  }
  if (parsed.protocol === 'http:' && !LOOPBACK.test(parsed.hostname)) {
    return [{ severity: 'warning', message: `url uses plain http to ${parsed.host}: headers (credentials) and the answer cross the network unprotected; use https`, path: ['url'] }];
  }
  return [];
}
