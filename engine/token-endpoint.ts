/**
 * POST /token as an ordered list of named steps, run in order (runner.ts sequence):
 *
 *   readForm → grantType → singleValued → findClient → prepareFlow → authenticateClient → runPipe
 *   → judgePipeOutcome
 *
 * Before the client is proven, only the form and the grant type are judged (grant types
 * are public: discovery lists them). The grant's own parameters, and the request-time ones
 * every grant takes (grants/request-params.ts), are parsed before the pipe runs, but a
 * problem with them is told only once the client is authenticated; so is the caller's
 * `exp` honoured, and its `state` echoed, only then.
 */
import { authenticationFailed } from './client-auth/failure.js';
import { CREDENTIAL_PARAMS } from './client-auth/credentials.js';
import { findClient, readForm, readSingleValued, type ClientRequestContext } from './endpoints/client-steps.js';
import { defineEndpoint, type EndpointContext, type EndpointRequest, type LogLine } from './endpoints/handler.js';
import type { RequestDeadline } from './endpoints/deadline.js';
import type { RequestLog } from './endpoints/request-log.js';
import type { PresentedCredentials } from './client-auth/methods/index.js';
import type { Engine, RegisteredClient } from './engine.js';
import { answeredToken, auditIssued } from './endpoints/token-audit.js';
import { ISSUED, NONE, UNKNOWN_CLIENT } from './metrics/metrics.js';
import type { FormParams } from './endpoints/form.js';
import { InvalidGrant, InvalidRequest, OAuthError, ServerError, UnauthorizedClient, UnsupportedGrantType } from './errors.js';
import { deadlineAnswer } from './endpoints/deadline.js';
import { createFlow, grantTokenVerified, isProven, pipeProgress } from './flow-state.js';
import type { Flow, TokenRequest } from './flow.js';
import { GRANT_SECRET_PARAMS, GRANT_TYPES, type GrantParameters, type GrantType } from './grants/index.js';
import { parseRequestTimeParams, type RequestTimeParams } from './grants/request-params.js';
import type { CompiledPipe } from './pipes.js';
import { merged } from './merge.js';
import { step, type SequenceStep } from './runner.js';

export type { EndpointRequest as TokenHttpRequest, HttpAnswer } from './endpoints/handler.js';

interface TokenContext extends ClientRequestContext {
  grant?: GrantType;
  flow?: Flow;
  pipe?: CompiledPipe;
  /** The caller's deadline (its `exp`), milliseconds since the epoch; honoured once it is proven. */
  callerDeadline?: number;
  /** Told by the flow once the caller is proven (flow-state.ts ProvenListener). */
  proven(): void;
}

/** What a request with malformed grant parameters asks for: fresh lists, as a parse makes. */
function nothingGranted(): GrantParameters {
  return { scope: [], resource: [], audience: [] };
}

function grantType(context: TokenContext): void {
  const values = context.form!.get('grant_type');
  if (values === undefined) throw InvalidRequest('grant_type is required');
  if (values.length > 1) throw InvalidRequest("parameter 'grant_type' is repeated");
  const grant = GRANT_TYPES.get(values[0]!);
  // A caller's value of any size: logged only once it is known to be one of ours.
  context.line.grant_type = grant ? grant.type : '(unsupported)';
  if (!grant) throw UnsupportedGrantType('unsupported grant_type');
  context.grant = grant;
}

/**
 * Synchronous but for an unknown client, whose refusal is awaited: a step that returns
 * nothing costs the sequence no promise (runner.ts).
 */
function prepareFlow(context: TokenContext): Promise<void> | void {
  const { http, registered } = context;
  if (!registered) return refuseUnknownClient(context);
  const clientId = registered.client.client_id;
  const parsed = context.grant!.parse(context.form!);
  const grantProblem = parsed instanceof OAuthError ? parsed : undefined;
  const timeParams = parseRequestTimeParams(context.form!, clientId, Date.now());
  const deferred = grantProblem ?? timeParams.problem;
  context.callerDeadline = timeParams.deadline;
  const request = tokenRequest(context.form!, context.grant!, clientId, http.ip, grantProblem ? nothingGranted() : (parsed as GrantParameters), timeParams.fields);
  const grantToken = grantProblem ? undefined : (parsed as GrantParameters).token;
  context.flow = createFlow({ id: http.id, request, client: registered.client, credentials: context.credentials!, source: http.ip, grantToken, deferred, onProven: context, log: context.log });
}

/** An unknown client fails like a wrong secret, at the same cost: it always throws. */
async function refuseUnknownClient(context: TokenContext): Promise<void> {
  const { engine, credentials, http } = context;
  await engine.authenticator.verify(credentials!, undefined, engine.verifyContext, http.ip);
  throw authenticationFailed('unknown_client', 'unknown client');
}

/**
 * The caller's `exp`, once it is proven: the answer comes by then or not at all. Not
 * before: a deadline that fires during authentication would tell a stranger apart from a
 * known client whose secret is wrong. Wall-clock time, as the timers that enforce it.
 */
function honourCallerDeadline(context: TokenContext): void {
  const at = context.callerDeadline;
  if (at === undefined) return;
  if (at <= Date.now()) throw deadlineAnswer('caller');
  context.deadline.bringForward(at, 'caller');
}

const NOTHING_ECHOED: Readonly<Record<string, string>> = Object.freeze({});

/** `state` goes back unaltered (OA4MP), errors included, to a proven caller only. */
function echoState(context: TokenContext): Readonly<Record<string, string>> {
  const { flow } = context;
  const state = flow?.request.state;
  return flow && state !== undefined && isProven(flow) ? { state } : NOTHING_ECHOED;
}

/** Synchronous when the pipe authenticates the client itself (the usual pipe): no promise then. */
function authenticateClient(context: TokenContext): Promise<void> | void {
  const { engine, registered, flow, grant } = context;
  const pipe = registered!.pipes.get(grant!.type);
  if (!pipe) return refuseGrant(context);
  context.pipe = pipe;
  context.line.pipe = pipe.id;
  // A public client (none) presenting nothing, for a grant its token can prove: nothing to
  // authenticate; runPipe answers only if the pipe verified that token.
  const provenByToken = registered!.client.token_endpoint_auth_method === 'none' && context.credentials!.method === 'none' && grant!.clientAuthentication === 'optional';
  // A pipe without an authenticating valve: the engine authenticates first.
  if (!provenByToken && !pipe.authenticatesClient) return engine.authenticate(flow!, registered!);
}

/** A grant the client may not use: authenticate before saying so, so that strangers learn nothing. */
async function refuseGrant(context: TokenContext): Promise<void> {
  await context.engine.authenticate(context.flow!, context.registered!);
  throw UnauthorizedClient(`this client may not use grant_type '${context.grant!.type}'`);
}

/** The pipe's own promise, not one wrapped around it: what it left is judged by the next step. */
function runPipe(context: TokenContext): Promise<void> {
  return context.pipe!.run(context.flow!);
}

function judgePipeOutcome(context: TokenContext): void {
  const { flow, pipe, grant } = context;
  // Whatever the pipe did, no token leaves for a caller that was not proven.
  if (!isProven(flow!)) {
    context.log.logger.error({ pipe: pipe!.id }, 'pipe finished without authenticating the client; response withheld');
    throw authenticationFailed('not_proven', 'pipe finished unproven');
  }
  // A grant that presents a token is answered only once that token is verified, whoever
  // the client is: otherwise a pipe would answer for a token it never looked at.
  if (grant!.clientAuthentication === 'optional' && !grantTokenVerified(flow!)) {
    context.log.logger.error({ pipe: pipe!.id }, "pipe finished without verifying the grant's token (is VerifyAssertion missing?); response withheld");
    throw InvalidGrant('the grant token was not verified');
  }
  if (!flow!.response) {
    // A valve that returns without calling next() ends the pipe: name it, as the likely bug.
    const { stoppedBy } = pipeProgress(flow!);
    if (stoppedBy) context.line.valve = stoppedBy;
    throw ServerError(stoppedBy ? `valve '${stoppedBy}' ended pipe '${pipe!.id}' without an answer (did it forget to call next()?)` : `pipe '${pipe!.id}' produced no response (is TokenResponse missing?)`);
  }
  // A copy: what a valve left there is read here, inside the endpoint's error handling.
  const { responseFields } = grant!;
  context.answer = merged(responseFields === undefined ? {} : Object.assign({}, responseFields), flow!.response);
}

/** The request as valves and templates see it: every parameter but the credentials. */
function tokenRequest(form: FormParams, grant: GrantType, clientId: string, ip: string, granted: GrantParameters, timeParams: RequestTimeParams): TokenRequest {
  // No prototype: a parameter named __proto__ is kept as a parameter.
  const visible = Object.create(null) as Record<string, string | readonly string[]>;
  form.forEach((values, key) => {
    if (CREDENTIAL_PARAMS.has(key) || GRANT_SECRET_PARAMS.has(key)) return;
    visible[key] = grant.repeatable.includes(key) ? values : values[0]!;
  });
  // One literal, every key in the same order, filled in place (see merge.ts); the lists are
  // the parse's own, fresh for this request (grants/types.ts), so not copied again.
  const request: { -readonly [K in keyof TokenRequest]: TokenRequest[K] } = {
    grant_type: grant.type,
    client_id: clientId,
    scope: granted.scope,
    resource: granted.resource,
    audience: granted.audience,
    params: Object.freeze(visible),
    ip,
  };
  // Present only when sent and well-formed, as before: `'state' in request` says so.
  if (timeParams.at_lifetime !== undefined) request.at_lifetime = timeParams.at_lifetime;
  if (timeParams.state !== undefined) request.state = timeParams.state;
  if (timeParams.nonce !== undefined) request.nonce = timeParams.nonce;
  if (timeParams.jti !== undefined) request.jti = timeParams.jti;
  return Object.freeze(request);
}

export const TOKEN_STEPS: ReadonlyArray<SequenceStep<TokenContext>> = [
  step('readForm', readForm),
  step('grantType', grantType),
  step('singleValued', singleValuedParams),
  step('findClient', findClient),
  step('prepareFlow', prepareFlow),
  step('authenticateClient', authenticateClient),
  step('runPipe', runPipe),
  step('judgePipeOutcome', judgePipeOutcome),
];

function singleValuedParams(context: TokenContext): void {
  readSingleValued(context, context.grant!.repeatable);
}

/**
 * Once answered: the audit fields of an issued token on the request line, and the
 * request counted. Label values are the engine's, never the caller's: a client that is
 * not registered counts as "unknown", a grant type only once it is one of ours.
 */
function observeTokenRequest(engine: Engine, context: TokenContext | undefined, line: LogLine, seconds: number): void {
  const flow = context?.flow;
  const issued = line.outcome === 'issued' && flow ? answeredToken(flow) : undefined;
  if (issued) auditIssued(line, issued);
  const { metrics } = engine;
  if (!metrics) return;
  const clientId = context?.registered?.client.client_id ?? UNKNOWN_CLIENT;
  const outcome = line.outcome === 'issued' ? ISSUED : String(line.error);
  metrics.tokenRequest(clientId, context?.pipe?.id, context?.grant?.type ?? NONE, outcome, seconds);
  // Every signature counts, even for a request a later valve refused.
  if (flow) {
    for (const dest in flow.issued) {
      const { kid } = flow.issued[dest]!;
      if (kid !== undefined) metrics.keySigned(kid);
    }
  }
}

/**
 * The request's context: a class, so that every request's context has the same hidden
 * class from the start, with each field the steps fill in already there (see merge.ts),
 * and `echoed` and `onProven` are methods rather than closures made per request.
 */
class TokenRequestContext implements TokenContext {
  readonly engine: Engine;
  readonly http: EndpointRequest;
  readonly log: RequestLog;
  readonly line: LogLine;
  readonly deadline: RequestDeadline;
  answer: Record<string, unknown> | undefined = undefined;
  form: FormParams | undefined = undefined;
  single: ReadonlyMap<string, string> | undefined = undefined;
  credentials: PresentedCredentials | undefined = undefined;
  registered: RegisteredClient | undefined = undefined;
  grant: GrantType | undefined = undefined;
  flow: Flow | undefined = undefined;
  pipe: CompiledPipe | undefined = undefined;
  callerDeadline: number | undefined = undefined;

  constructor(base: EndpointContext) {
    this.engine = base.engine;
    this.http = base.http;
    this.log = base.log;
    this.line = base.line;
    this.deadline = base.deadline;
  }

  echoed(): Readonly<Record<string, string>> {
    return echoState(this);
  }

  /** The flow's onProven (flow-state.ts): the caller's deadline is honoured from then on. */
  proven(): void {
    honourCallerDeadline(this);
  }
}

export const handleTokenRequest = defineEndpoint<TokenContext>('token', TOKEN_STEPS, (base) => new TokenRequestContext(base), observeTokenRequest);
