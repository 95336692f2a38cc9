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
  const defaults = scope.filter((s) => s.endsWith(DEFAULT_SCOPE));
  if (defaults.length === 0) return undefined;
  if (scope.length > 1) throw InvalidScope(`${defaults[0]} must be the only scope requested`);
  const resource = defaults[0]!.slice(0, -DEFAULT_SCOPE.length);
  if (!resource) throw InvalidScope(`${DEFAULT_SCOPE} names no resource`);
  return resource;
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

/**
 * What is granted of one list (scopes, audiences): what was asked for, every value of it
 * allowed (else `refuse` names the others), or, when nothing was, the defaults the client
 * is allowed. The defaults are worked out only then: they are per request (templates).
 */
function granted(asked: readonly string[], allowed: readonly string[], defaults: () => readonly string[] | undefined, refuse: (refused: string) => OAuthError): string[] {
  if (asked.length === 0) return [...new Set((defaults() ?? allowed).filter((v) => allowed.includes(v)))];
  // Nothing allocated to find that nothing is refused: the usual request.
  if (asked.some((v) => !allowed.includes(v))) throw refuse(asked.filter((v) => !allowed.includes(v)).join(' '));
  return [...asked];
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
    const resolve = (template: typeof defaultScopes, flow: Flow) =>
      template ? (template(flow) as unknown[]).flat().filter((v): v is string => typeof v === 'string') : undefined;

    return async function scopeCheck(flow, next) {
      const { client, request, grant } = flow;
      const resource = defaultScopeResource(request.scope);
      if (resource !== undefined) {
        grantDefaultScope(resource, flow);
        return next();
      }
      grant.scope = granted(request.scope, client.scopes, () => resolve(defaultScopes, flow), (refused) => InvalidScope(`scope not allowed for this client: ${refused}`));
      const requested = [...new Set([...request.resource, ...request.audience])];
      grant.audience = granted(requested, client.audiences, () => resolve(defaultAudiences, flow), (refused) => InvalidTarget(`audience not allowed for this client: ${refused}`));
      await next();
    };
  },
});
