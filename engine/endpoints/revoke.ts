/**
 * POST /revoke (RFC 7009): a client revokes a token issued to it.
 *
 *   readForm → singleValued → findClient → authenticateCaller → readToken → revoke
 *
 * A JWT's jti goes on the store's deny-list until the token's exp; an opaque token's store
 * entry is deleted (engine/tokens/opaque-token.ts). The answer is 200 with an empty body
 * whatever the token was (RFC 7009 section 2.2): unknown, invalid, expired,
 * or another client's (which stays active: section 2.1 lets a client revoke only its own).
 * Only the log says which.
 */
import { revokeAccessToken } from '../tokens/access-token.js';
import { step, type SequenceStep } from '../runner.js';
import { CLIENT_FRONT_STEPS, type TokenAboutContext } from './client-front.js';
import { defineEndpoint } from './handler.js';

async function revoke(context: TokenAboutContext): Promise<void> {
  context.line.revocation = await revokeAccessToken(context.engine, context.token!, context.caller!.client_id);
  context.line.outcome = 'answered';
  context.answer = {};
}

const STEPS: ReadonlyArray<SequenceStep<TokenAboutContext>> = [...CLIENT_FRONT_STEPS, step('revoke', revoke)];

export const handleRevocation = defineEndpoint<TokenAboutContext>('revoke', STEPS, (base) => base);
