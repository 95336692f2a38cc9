/**
 * ClaimsSet: adds claims (values from templates) to flow.claims, which CreateJwt and
 * CreateOpaqueToken put into the token after their own (so a claim here overrides theirs,
 * and CreateJwt's jwt_claims override it).
 *
 * Its claims obey CreateJwt's rules for jwt_claims (create-jwt-rules.ts): a claim that says
 * who the token is for or what it allows (iss, sub, aud, client_id, scope, jti, cnf)
 * cannot come from what the caller sends, and exp/iat/nbf must be NumericDates. There is no
 * allow_request_claims here: a claim a client may choose from a list belongs in CreateJwt.
 * Reading a state or claims path an earlier valve filled from the request counts as reading
 * the request (ValveDefinition.fillsFromCaller).
 */
import { defineValve } from '../engine/index.js';
import { claimProblems, flowPathsFromCaller } from './create-jwt-rules.js';

export interface ClaimsSetConfig {
  claims: Record<string, unknown>;
}

export default defineValve<ClaimsSetConfig>({
  name: 'ClaimsSet',
  description: 'Add claims (values may be ${…} templates) to the tokens this flow issues.',
  setsClaims: true,
  // A claim the caller chooses (a warning, below) is still the caller's when read back as `${claims.NAME}`.
  fillsFromCaller: (config, chosen) => flowPathsFromCaller(config.claims, 'claims', chosen),
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['claims'],
    properties: {
      claims: { type: 'object', minProperties: 1, propertyNames: { minLength: 1 }, description: 'Claim name -> value; values may be ${…} templates.' },
    },
  },
  check: (config, context) => claimProblems(config.claims, { key: 'claims', guarded: undefined }, context),
  create(config, engine) {
    const claims = engine.compileTemplate(config.claims);
    return async function claimsSet(flow, next) {
      for (const [name, value] of Object.entries(claims(flow))) {
        if (value === undefined) continue; // a template that resolved to nothing sets nothing
        // Defined, not assigned: a claim named __proto__ is a claim, not a prototype swap.
        // A copy: a later valve that changes the claims must not change the client's attributes.
        Object.defineProperty(flow.claims, name, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
      }
      await next();
    };
  },
});
