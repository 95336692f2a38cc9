/**
 * A grant type (RFC 6749 section 4) as a module: the grant_type value, how an RP binds it
 * to a pipe, the parameters it owns (which may repeat, which carry a token that must never
 * be logged or templated), whether the client must authenticate, and how the parameters
 * are parsed. A grant is added by writing one module and listing it in grants/index.ts.
 */
import type { OAuthError } from '../errors.js';
import type { FormParams } from '../endpoints/form.js';

/**
 * What a grant asks for; judged only once the caller is proven (issue 9, item 2). The
 * lists are fresh for each parse (never shared): the token request keeps them as they are.
 */
export interface GrantParameters {
  readonly scope: readonly string[];
  readonly resource: readonly string[];
  readonly audience: readonly string[];
  /**
   * The token the grant presents (RFC 7523 `assertion`, RFC 8693 `subject_token`): engine
   * only, verified against a trusted issuer by a VerifyAssertion valve.
   */
  readonly token?: string;
}

export interface GrantType {
  /** The grant_type value. */
  readonly type: string;
  readonly description: string;
  /** An RP field of its own that binds this grant to a pipe (besides `grant_pipes`). */
  readonly pipeField?: string;
  /** Parameters that may repeat; any other repeated parameter is invalid_request (RFC 6749 section 3.1). */
  readonly repeatable: readonly string[];
  /** Parameters that carry a token: never logged, never visible to templates. */
  readonly secretParams: readonly string[];
  /**
   * 'required': the client authenticates (RFC 6749 section 4.4.2). 'optional': a caller
   * may instead be proven by the grant's token, verified against a trusted issuer (RFC
   * 7523 section 3.1); then the pipe must verify it, whatever else it does.
   */
  readonly clientAuthentication: 'required' | 'optional';
  /** Parse the grant's parameters. Returns the OAuthError for malformed ones rather than throwing. */
  parse(form: FormParams): GrantParameters | OAuthError;
  /** Members the grant's RFC adds to a successful response when the pipe did not. */
  readonly responseFields?: Readonly<Record<string, unknown>>;
}
