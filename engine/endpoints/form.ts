/**
 * application/x-www-form-urlencoded request bodies (RFC 6749 section 3.2 and appendix B).
 * Malformed input is invalid_request, never an exception.
 */
import { InvalidRequest } from '../errors.js';

export type FormParams = ReadonlyMap<string, readonly string[]>;

const FORM_TYPE = 'application/x-www-form-urlencoded';

export function isFormBody(contentType: string | undefined): boolean {
  // As sent by nearly every client: no parameters, no case or spaces to undo.
  if (contentType === FORM_TYPE) return true;
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

export function parseForm(body: string): FormParams {
  const params = new Map<string, string[]>();
  // forEach, not for-of: no [key, value] pair made per parameter.
  new URLSearchParams(body).forEach((value, key) => {
    if (value === '') return; // RFC 6749 section 3.1: a parameter without a value is omitted
    const values = params.get(key);
    if (values) values.push(value);
    else params.set(key, [value]);
  });
  return params;
}

/** The single-valued view; a repeated parameter not in `repeatable` is invalid_request (RFC 6749 section 3.1). */
export function singleValued(params: FormParams, repeatable: readonly string[] = []): Map<string, string> {
  const single = new Map<string, string>();
  // forEach, not for-of: no [key, values] pair made per parameter.
  params.forEach((values, key) => {
    if (repeatable.includes(key)) return;
    // The name is the caller's: cut, so that neither the answer nor the log grows with it.
    if (values.length > 1) throw InvalidRequest(`parameter '${key.length > 64 ? `${key.slice(0, 64)}...` : key}' is repeated`);
    single.set(key, values[0]!);
  });
  return single;
}
