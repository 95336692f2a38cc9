/**
 * Registered clients: the config's `rps` turned into what the token endpoint needs — the
 * public view valves see (deeply frozen, so no request can change what the next one
 * sees), the credentials the authenticator checks, and a pipe per grant type.
 */
import { registeredSecrets } from './client-auth/registered-secrets.js';
import { assertionCredentialsOf } from './client-auth/assertion/registration.js';
import type { Indexed } from './config/cross-refs.js';
import type { RpConfig } from './config/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { RegisteredClient } from './engine.js';
import { GRANT_TYPES, pipeIdOf } from './grants/index.js';
import type { CompiledPipe } from './pipes.js';

/**
 * Config data (YAML values: no cycles, no class instances, own properties only, as the
 * loader builds them) deeply frozen in place. The engine's config is immutable anyway;
 * freezing it rather than a copy lets valves see the config's own attributes, so 100,000
 * RPs keep one copy of them, not two.
 */
function deepFrozen<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  // for…in, not Object.values(): no array per object. Own keys only, as the loader builds them.
  for (const key in value) deepFrozen((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/** Frozen values shared by every RP whose list of strings is the same. */
class Shared {
  private readonly values = new Map<string, unknown>();
  get<T>(key: readonly string[], make: () => T): T {
    // Joined by newlines, a key is one list only; a value with a newline is not shared.
    if (key.some((k) => k.includes('\n'))) return make();
    const id = key.join('\n');
    let value = this.values.get(id) as T | undefined;
    if (value === undefined) this.values.set(id, (value = make()));
    return value;
  }
}

/**
 * `now` (seconds) is the load time: for warning about secrets past their not_after and
 * certificates near expiry. The clients are added to `clients` (the map the pipes'
 * services already hold), not gathered in another first (100,000 of them).
 */
export function buildClients(rps: ReadonlyArray<Indexed<RpConfig>>, pipes: ReadonlyMap<string, CompiledPipe>, sink: DiagnosticSink, now: number, clients = new Map<string, RegisteredClient>()): Map<string, RegisteredClient> {
  // Many RPs share their pipes and lists: one frozen copy each, not one per RP (100,000 RPs).
  const sharedPipes = new Shared();
  const sharedLists = new Shared();
  const sharedRules = new Shared();
  const grants = [...GRANT_TYPES.values()];
  for (const [rp, i] of rps) {
    const ids = grants.map((grant) => pipeIdOf(rp, grant) ?? '');
    const byGrant = sharedPipes.get(ids, () => {
      const map = new Map<string, CompiledPipe>();
      for (const [g, grant] of grants.entries()) {
        const pipe = pipes.get(ids[g]!);
        if (pipe) map.set(grant.type, pipe);
      }
      return map;
    });
    const client = Object.freeze({
      client_id: rp.client_id,
      token_endpoint_auth_method: rp.token_endpoint_auth_method,
      scopes: sharedLists.get(rp.scopes, () => Object.freeze([...rp.scopes])),
      audiences: sharedLists.get(rp.audiences, () => Object.freeze([...rp.audiences])),
      attributes: deepFrozen(rp.attributes),
    });
    const { keySet, certificates, assertionRules: rules } = assertionCredentialsOf(rp, i, sink, now);
    clients.set(rp.client_id, {
      client,
      client_id: rp.client_id,
      token_endpoint_auth_method: rp.token_endpoint_auth_method,
      secrets: registeredSecrets(rp, i, sink, now),
      keySet,
      certificates,
      assertionRules: sharedRules.get([String(rules.maxLifetime), String(rules.clockSkew)], () => Object.freeze(rules)),
      pipes: byGrant,
      introspection: rp.introspection,
    });
  }
  return clients;
}
