/**
 * POST /introspect (RFC 7662): an authenticated client asks whether a token is active.
 *
 *   readForm → singleValued → findClient → authenticateCaller → readToken → introspect
 *
 * A client may introspect the tokens issued to itself; a resource server (an RP with
 * `introspection: true`) any token. Everything else, expired, revoked, malformed,
 * unknown, another issuer's, or another client's token asked about by a client that is not
 * a resource server, is `{"active": false}` and nothing more (RFC 7662 section 2.2): the
 * caller learns no reason, the log does.
 *
 * With `Accept: application/token-introspection+jwt` the same answer comes as a JWT
 * signed by the engine (RFC 9701), see introspection-jwt.ts.
 */
import { checkAccessToken } from '../tokens/access-token.js';
import { step, type SequenceStep } from '../runner.js';
import { CLIENT_FRONT_STEPS, type TokenAboutContext } from './client-front.js';
import { defineEndpoint } from './handler.js';
import { signIntrospection, INTROSPECTION_JWT_MEDIA_TYPE } from './introspection-jwt.js';

interface IntrospectContext extends TokenAboutContext {
  /** The RFC 7662 answer, before it is sent as JSON or signed. */
  introspection?: Record<string, unknown>;
}

/** RFC 7662 section 2.2: an inactive token is `active: false` and nothing else; the reason is for the log. */
function inactive(context: IntrospectContext, reason: string): void {
  context.line.active = false;
  context.line.inactive_reason = reason;
  context.introspection = { active: false };
}

async function introspect(context: IntrospectContext): Promise<void> {
  const { engine, caller, token, line } = context;
  const check = await checkAccessToken(engine, token!);
  if (!check.ok) return inactive(context, check.reason);
  const { claims } = check;
  // Not the caller's business: a client sees only its own tokens, a resource server all.
  if (claims.client_id !== caller!.client_id && !caller!.introspection) return inactive(context, 'issued to another client; the caller is not a resource server (introspection: true)');
  line.active = true;
  line.token_client_id = claims.client_id;
  // RFC 7662 section 2.2: the token's claims, named as in the JWT; `active` (first, for
  // readers) and `token_type` are ours, whatever the pipe put into the token.
  context.introspection = Object.assign({ active: true }, claims, { active: true, token_type: 'Bearer' });
}

const STEPS: ReadonlyArray<SequenceStep<IntrospectContext>> = [
  ...(CLIENT_FRONT_STEPS as ReadonlyArray<SequenceStep<IntrospectContext>>),
  step('introspect', introspect),
  step('answer', (context: IntrospectContext) => {
    context.line.outcome = 'answered';
    context.answer = context.introspection;
  }),
];

const SIGNED_STEPS: ReadonlyArray<SequenceStep<IntrospectContext>> = [
  ...(CLIENT_FRONT_STEPS as ReadonlyArray<SequenceStep<IntrospectContext>>),
  step('introspect', introspect),
  step('sign', async (context: IntrospectContext) => {
    context.answer = { jwt: await signIntrospection(context.engine, context.caller!.client_id, context.introspection!) };
    context.line.outcome = 'answered';
  }),
];

export const handleIntrospection = defineEndpoint<IntrospectContext>('introspect', STEPS, (base) => base);

/** The RFC 9701 variant: the answer's `jwt` member is the body, as application/token-introspection+jwt. */
export const handleSignedIntrospection = defineEndpoint<IntrospectContext>('introspect', SIGNED_STEPS, (base) => {
  base.line.response = 'jwt';
  return base;
});

/** Whether the caller asked for a signed answer (RFC 9701 section 4). */
export function wantsSignedIntrospection(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((type) => type.split(';')[0]!.trim().toLowerCase() === INTROSPECTION_JWT_MEDIA_TYPE);
}
