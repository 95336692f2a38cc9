/**
 * ScopeCheck: decides what is granted. The requested scope must be a subset of the
 * client's `scopes` (RFC 6749 §3.3, invalid_scope); requested `resource` (RFC 8707) and
 * `audience` values must be among its `audiences` (invalid_target). Nothing requested
 * means the defaults: all of the client's, unless the config narrows them.
 */
import { defineValve, type ValveProblem } from '../engine/plugin-api.js';
import type { Client, Flow } from '../engine/flow.js';
import { InvalidScope, InvalidTarget } from '../engine/errors.js';
import { hasTemplate } from '../engine/template.js';

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

export default defineValve<ScopeCheckConfig>({
  name: 'ScopeCheck',
  description: "Grant the requested scope and audiences if the client may have them; otherwise the defaults (all of the client's).",
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
      const refused = request.scope.filter((s) => !client.scopes.includes(s));
      if (refused.length) throw InvalidScope(`scope not allowed for this client: ${refused.join(' ')}`);
      const scopes = (resolve(defaultScopes, flow) ?? client.scopes).filter((s) => client.scopes.includes(s));
      grant.scope = request.scope.length ? [...request.scope] : [...new Set(scopes)];

      const requested = [...new Set([...request.resource, ...request.audience])];
      const unknown = requested.filter((a) => !client.audiences.includes(a));
      if (unknown.length) throw InvalidTarget(`audience not allowed for this client: ${unknown.join(' ')}`);
      const audiences = (resolve(defaultAudiences, flow) ?? client.audiences).filter((a) => client.audiences.includes(a));
      grant.audience = requested.length ? requested : [...new Set(audiences)];
      await next();
    };
  },
});
