/**
 * OAuth error values: the factories work with and without `new`, errors are recognised by
 * their brand (so a plugin holding another copy of sluice still gets its error answered),
 * and error_description stays within the RFC 6749 section 5.2 character set.
 */
import { describe, expect, it } from 'vitest';
import { InvalidClient, InvalidScope, isOAuthError, OAuthError, ServerError } from '../../engine/errors.js';

describe('OAuth error factories', () => {
  it('InvalidScope(...) and new InvalidScope(...) give the same OAuthError', () => {
    const called = InvalidScope('no such scope');
    const constructed = new InvalidScope('no such scope');
    for (const error of [called, constructed]) {
      expect(error).toBeInstanceOf(OAuthError);
      expect({ code: error.code, status: error.status }).toEqual({ code: 'invalid_scope', status: 400 });
      expect(error.toJSON()).toEqual({ error: 'invalid_scope', error_description: 'no such scope' });
    }
  });

  it('new InvalidClient(...) keeps its 401 challenge', () => {
    const error = new InvalidClient('client authentication failed');
    expect(error.status).toBe(401);
    expect(error.headers['www-authenticate']).toMatch(/^Basic /);
  });
});

describe('isOAuthError', () => {
  it('recognises OAuthError values, and an error branded by another copy of sluice', () => {
    expect(isOAuthError(ServerError('x'))).toBe(true);
    // What a second copy of errors.ts (a plugin's own install) produces: same brand, other class.
    const foreign = Object.assign(new Error('from another copy'), { code: 'invalid_scope', status: 400, headers: {}, [Symbol.for('sluice.oauth-error')]: true });
    expect(isOAuthError(foreign)).toBe(true);
  });

  it('refuses look-alikes without the brand, and non-objects', () => {
    for (const value of [new Error('x'), { code: 'invalid_scope', status: 400 }, 'invalid_scope', null, undefined, 42]) {
      expect(isOAuthError(value)).toBe(false);
    }
  });
});

describe('error_description', () => {
  it('writes the section sign as "section" and keeps to RFC 6749 section 5.2 characters', () => {
    expect(InvalidScope('see RFC 6749 §3.3').toJSON().error_description).toBe('see RFC 6749 section 3.3');
    expect(InvalidScope('RFC 8707 § 2, "quoted" é').toJSON().error_description).toBe('RFC 8707 section 2, ?quoted? ?');
  });
});
