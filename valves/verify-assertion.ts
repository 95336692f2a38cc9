/**
 * VerifyAssertion: verifies the token a JWT-bearer (RFC 7523 section 2.1) or token-exchange
 * (RFC 8693) request presents, against the trusted issuers: signature by kid from the
 * issuer's keys, iss, aud, exp/nbf with its clock skew, its algorithms. Its claims are then
 * `${assertion.…}` for later valves. A public client (none) is proven by this alone.
 */
import { ConfigError, defineValve, InvalidGrant } from '../engine/index.js';

export interface VerifyAssertionConfig {
  issuers?: string[];
  required_claims: string[];
}

const names = { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } };

export default defineValve<VerifyAssertionConfig>({
  name: 'VerifyAssertion',
  description: "Verify the grant's token (JWT-bearer assertion, token-exchange subject_token) against the trusted issuers; its claims become ${assertion.…}.",
  verifiesAssertion: true,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      issuers: { ...names, minItems: 1, description: 'Trusted issuer ids to accept. Default: all of them.' },
      required_claims: { ...names, default: [], description: 'Claims the token must carry (e.g. appid); missing ones are invalid_grant.' },
    },
  },
  create(config, engine) {
    const known = engine.trustedIssuerIds();
    if (known.length === 0) throw new ConfigError('unknown_reference', 'no trusted_issuers are configured: VerifyAssertion has nothing to verify against', []);
    config.issuers?.forEach((id, i) => {
      if (!known.includes(id)) throw new ConfigError('unknown_reference', `unknown trusted issuer '${id}'; trusted_issuers: ${known.join(', ')}`, ['issuers', i]);
    });
    const options = config.issuers ? { issuers: config.issuers } : {};
    return async function verifyAssertion(flow, next) {
      await engine.verifyAssertion(flow, options);
      const missing = config.required_claims.filter((claim) => flow.assertion!.claims[claim] === undefined);
      if (missing.length) throw InvalidGrant('the grant token lacks a required claim', { detail: `missing ${missing.join(', ')}` });
      await next();
    };
  },
});
