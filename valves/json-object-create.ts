/**
 * JsonObjectCreate (FortifiedID): builds an object from `src`, whose values may be `${…}`
 * templates, and writes it under `dest` for later valves (`${item.DEST.NAME}`, or
 * `${state.DEST.NAME}`). With `dest: client_credentials` the object is the token response
 * (flow.response, the slot TokenResponse also sets), as in FortifiedID's documented
 * client_credentials pipe; the token endpoint still adds Cache-Control: no-store and the
 * caller's `state`, and answers only a proven caller.
 */
import { defineValve, RESPONSE_DEST, type ValveProblem } from '../engine/index.js';
import { callerChosen, flowPathsFromCaller } from './create-jwt-rules.js';
import { responseProblems, type ValveBefore } from './response-checks.js';

export interface JsonObjectCreateConfig {
  src: Record<string, unknown>;
  dest: string;
}

/** RFC 6749 section 5.1: a successful token response carries these. */
const RESPONSE_REQUIRED = ['access_token', 'token_type'] as const;

/**
 * The token response this object is, as `check` sees it: the members RFC 6749 section 5.1
 * requires, and the traps of FortifiedID's documented pipe (response-checks.ts: an
 * expires_in that disagrees with the CreateJwt before, a constant scope). JsonObjectCreate
 * sends `src` as it is, so no message says a value is replaced.
 */
function tokenResponseProblems(config: JsonObjectCreateConfig, before: readonly ValveBefore[], chosen: ReadonlySet<string>): ValveProblem[] {
  if (config.dest !== RESPONSE_DEST) return [];
  // The caller's own text handed back as a token: harmless to resource servers, which verify
  // tokens, but a client told it holds a token it does not (and an easy pipe mistake to miss).
  const echoed: ValveProblem[] = callerChosen(config.src.access_token, ['src', 'access_token'], chosen).map((path) => ({
    severity: 'warning',
    path,
    message: "access_token is what the caller sends: the response would hand back a token no one issued; use the dest of the CreateJwt before (${item.DEST})",
  }));
  const missing = RESPONSE_REQUIRED.filter((name) => !Object.hasOwn(config.src, name));
  const problems: ValveProblem[] = missing.length === 0 ? [] : [{
    severity: 'warning',
    path: ['src'],
    message: `dest ${RESPONSE_DEST} makes this object the token response, which needs ${missing.join(' and ')} (RFC 6749 section 5.1)`,
  }];
  return [...echoed, ...problems, ...responseProblems(config.src, 'src', before)];
}

function callerValues(config: JsonObjectCreateConfig, chosen: ReadonlySet<string>): ValveProblem[] {
  if (config.dest === RESPONSE_DEST) return []; // sent to the caller itself, read by no later valve
  return Object.keys(config.src).flatMap((name) => callerChosen(config.src[name], ['src', name], chosen).map((path) => ({
    severity: 'warning' as const,
    path,
    message: `'${name}' holds what the caller sends: CreateJwt and ClaimsSet refuse it as a token's sub, aud, scope or client_id; other valves that read it cannot tell`,
  })));
}

export default defineValve<JsonObjectCreateConfig>({
  name: 'JsonObjectCreate',
  description: 'Build an object from src (values may be ${…} templates) under dest; dest client_credentials makes it the token response.',
  answers: (config) => config.dest === RESPONSE_DEST,
  writes: (config) => (config.dest === RESPONSE_DEST ? [] : [config.dest]),
  fillsFromCaller: (config, chosen) => (config.dest === RESPONSE_DEST ? [] : flowPathsFromCaller(config.src, `state.${config.dest}`, chosen)),
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['src', 'dest'],
    properties: {
      src: { type: 'object', minProperties: 1, description: 'Member name -> value; values may be ${…} templates (and nested objects and lists of them).' },
      dest: {
        type: 'string',
        pattern: '^[A-Za-z0-9_-]+$',
        patternMessage: 'must be a name (letters, digits, _ and -)',
        description: `Where later valves find the object (\${item.DEST}); ${RESPONSE_DEST}: the token response.`,
      },
    },
  },
  check: (config, context) => [...tokenResponseProblems(config, context.configsBefore ?? [], context.callerChosen), ...callerValues(config, context.callerChosen)],
  create(config, engine) {
    const src = engine.compileTemplate(config.src);
    return async function jsonObjectCreate(flow, next) {
      // A copy: members without templates are the config's own objects, shared by every request.
      const built = structuredClone(src(flow));
      if (config.dest === RESPONSE_DEST) flow.response = built;
      // Defined, not assigned: a dest such as __proto__ is a name, not a prototype swap.
      else Object.defineProperty(flow.state, config.dest, { value: built, enumerable: true, writable: true, configurable: true });
      await next();
    };
  },
});
