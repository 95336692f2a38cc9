/**
 * A grant type (RFC 6749 section 4) as a module: the grant_type value, the RP field that
 * binds it to a pipe, the parameters it owns (which of them may repeat), and how they
 * are parsed. The JWT-bearer (RFC 7523) and token-exchange (RFC 8693) grants are added by
 * writing one more module and listing it in grants/index.ts.
 */
import type { OAuthError } from '../errors.js';
import type { FormParams } from '../endpoints/form.js';

/** What a grant asks for; parsed only once the caller is proven (issue 9, item 2). */
export interface GrantParameters {
  readonly scope: readonly string[];
  readonly resource: readonly string[];
  readonly audience: readonly string[];
}

export interface GrantType {
  /** The grant_type value. */
  readonly type: string;
  readonly description: string;
  /** The RP field that binds this grant to a pipe. */
  readonly pipeField: string;
  /** Parameters that may repeat; any other repeated parameter is invalid_request (RFC 6749 section 3.1). */
  readonly repeatable: readonly string[];
  /** Parse the grant's parameters. Returns the OAuthError for malformed ones rather than throwing. */
  parse(form: FormParams): GrantParameters | OAuthError;
}
