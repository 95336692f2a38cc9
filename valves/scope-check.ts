/**
 * ScopeCheck: decides what is granted. The requested scope must be a subset of the
 * client's `scopes` (RFC 6749 §3.3, invalid_scope); requested `resource` (RFC 8707) and
 * `audience` values must be among its `audiences` (invalid_target). Nothing requested
 * means the defaults: all of the client's, unless the config narrows them.
 *
 * `RESOURCE/.default`, as Microsoft Entra ID clients (MSAL) ask for every client
 * credentials token, means "every scope this client holds for RESOURCE": the token is for
 * RESOURCE alone. A client holds scope S for RESOURCE when RESOURCE is among its
 * `audiences` and S is written `RESOURCE/name`, which is how Entra names scopes
 * (api://orders/orders.read), so an Entra client's other requests need no mapping either.
 */
import { defineValve, hasTemplate, InvalidScope, InvalidTarget, type Client, type Flow, type OAuthError, type ValveProblem } from '../engine/index.js';

export interface ScopeCheckConfig {
  default_scopes?: string[];
  default_audiences?: string[];
}

const list = { type: 'array', items: { type: 'string', minLength: 1 } };

/**
 * A literal default the client does not have would be dropped silently at request time;
 * `check` says so, for each client that uses the pipe. Templated defaults depend on the
 * request and are left to it.
 */
function missingDefaults(defaults: readonly string[] | undefined, key: 'default_scopes' | 'default_audiences', clients: readonly Client[]): ValveProblem[] {
  const field = key === 'default_scopes' ? 'scopes' : 'audiences';
  return (defaults ?? []).flatMap((value, i) => {
    if (hasTemplate(value)) return [];
    const without = clients.filter((c) => !c[field].includes(value)).map((c) => `'${c.client_id}'`);
    if (without.length === 0) return [];
    return [{ message: `'${value}' is not among the ${field} of client ${without.join(', ')}, which use${without.length === 1 ? 's' : ''} this pipe`, path: [key, i] }];
  });
}

const DEFAULT_SCOPE = '/.default';

/**
 * The resource a `.default` request names, or undefined when the request has none. Like
 * Entra (AADSTS70011), `.default` must be the only scope: it already means all of them,
 * and a token is for one resource.
 */
function defaultScopeResource(scope: readonly string[]): string | undefined {
  // The usual request names no `.default`: found out without a list made.
  if (!scope.some(isDefaultScope)) return undefined;
  const defaults = scope.filter(isDefaultScope);
  if (scope.length > 1) throw InvalidScope(`${defaults[0]} must be the only scope requested`);
  const resource = defaults[0]!.slice(0, -DEFAULT_SCOPE.length);
  if (!resource) throw InvalidScope(`${DEFAULT_SCOPE} names no resource`);
  return resource;
}

function isDefaultScope(scope: string): boolean {
  return scope.endsWith(DEFAULT_SCOPE);
}

/** The client's scopes written `RESOURCE/name` (a resource that ends in '/' is not doubled). */
function scopesHeldFor(resource: string, client: Client): string[] {
  const prefix = resource.endsWith('/') ? resource : `${resource}/`;
  return client.scopes.filter((s) => s.length > prefix.length && s.startsWith(prefix) && !s.endsWith(DEFAULT_SCOPE));
}

/**
 * RESOURCE/.default: the resource must be one of the client's audiences. Unknown, it is
 * invalid_target (RFC 8707 section 2: "the requested resource is ... unknown"): what is
 * wrong is the target, as Entra says too (AADSTS500011), and a `resource` parameter
 * naming the same API gets the same answer. A resource or audience parameter naming
 * another API contradicts the request: invalid_target too.
 */
function grantDefaultScope(resource: string, flow: Flow): void {
  const { client, request, grant } = flow;
  if (!client.audiences.includes(resource)) throw InvalidTarget(`${resource}${DEFAULT_SCOPE}: the client has no audience ${resource}`);
  const others = [...request.resource, ...request.audience].filter((a) => a !== resource);
  if (others.length) throw InvalidTarget(`${resource}${DEFAULT_SCOPE} asks for a token for ${resource} alone, not also ${others.join(' ')}`);
  grant.scope = scopesHeldFor(resource, client);
  grant.audience = [resource];
}

type DefaultsTemplate = ((flow: Flow) => unknown) | undefined;

/** A templated default list, resolved for this request; a list value is spread. */
function resolveDefaults(template: DefaultsTemplate, flow: Flow): readonly string[] | undefined {
  return template ? (template(flow) as unknown[]).flat().filter((v): v is string => typeof v === 'string') : undefined;
}

/**
 * What is granted of one list (scopes, audiences): what was asked for, every value of it
 * allowed (else `refuse` names the others), or, when nothing was, the defaults the client
 * is allowed. The defaults are worked out only then: they are per request (templates).
 * A fresh list either way: a valve may change what is granted, not what was asked.
 */
function granted(asked: readonly string[], allowed: readonly string[], defaults: DefaultsTemplate, flow: Flow, refuse: (refused: string) => OAuthError): string[] {
  if (asked.length === 0) {
    const chosen = resolveDefaults(defaults, flow);
    // The client's own list (the usual default) has no duplicates to drop (clients.ts).
    return chosen === undefined && !hasDuplicates(allowed) ? allowed.slice() : [...new Set((chosen ?? allowed).filter((v) => allowed.includes(v)))];
  }
  // Nothing allocated to find that nothing is refused: the usual request.
  if (asked.some((v) => !allowed.includes(v))) throw refuse(asked.filter((v) => !allowed.includes(v)).join(' '));
  return asked.slice();
}

/** Whether a list holds a value twice; worked out once per list (a client's lists are made at load). */
const duplicateFree = new WeakSet<readonly string[]>();
function hasDuplicates(list: readonly string[]): boolean {
  if (duplicateFree.has(list)) return false;
  if (new Set(list).size !== list.length) return true;
  duplicateFree.add(list);
  return false;
}

const refuseScope = (refused: string): OAuthError => InvalidScope(`scope not allowed for this client: ${refused}`);
const refuseAudience = (refused: string): OAuthError => InvalidTarget(`audience not allowed for this client: ${refused}`);

/** The resource and audience values asked for, as one list without duplicates (each is already without). */
function requestedAudiences(resource: readonly string[], audience: readonly string[]): readonly string[] {
  if (audience.length === 0) return resource;
  if (resource.length === 0) return audience;
  return [...new Set([...resource, ...audience])];
}

export default defineValve<ScopeCheckConfig>({
  name: 'ScopeCheck',
  description: "Grant the requested scope and audiences if the client may have them; otherwise the defaults (all of the client's). RESOURCE/.default (Entra ID) grants the client's scopes written RESOURCE/name, for RESOURCE alone.",
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      default_scopes: { ...list, description: "Granted when no scope is requested. Default: all of the client's scopes." },
      default_audiences: { ...list, description: "Granted when no resource/audience is requested. Default: all of the client's audiences." },
    },
  },
  check: (config, { clients }) => [
    ...missingDefaults(config.default_scopes, 'default_scopes', clients),
    ...missingDefaults(config.default_audiences, 'default_audiences', clients),
  ],
  create(config, engine) {
    // Defaults may be templates (`${client.attributes.default_scopes}`); a list value is spread.
    const defaultScopes = config.default_scopes && engine.compileTemplate(config.default_scopes);
    const defaultAudiences = config.default_audiences && engine.compileTemplate(config.default_audiences);
    // Not async (no frame, no promise of its own): next()'s promise is the valve's answer.
    // A refusal is a rejected promise, as from an async valve, not a synchronous throw: an
    // earlier valve that forgot to await next() is then still caught by the runner.
    return function scopeCheck(flow, next) {
      try {
        decide(flow);
      } catch (error) {
        return Promise.reject(error);
      }
      return next();
    };

    function decide(flow: Flow): void {
      const { client, request, grant } = flow;
      const resource = defaultScopeResource(request.scope);
      if (resource !== undefined) return grantDefaultScope(resource, flow);
      grant.scope = granted(request.scope, client.scopes, defaultScopes, flow, refuseScope);
      grant.audience = granted(requestedAudiences(request.resource, request.audience), client.audiences, defaultAudiences, flow, refuseAudience);
    }
  },
});
