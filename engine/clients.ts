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

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** `now` (seconds) is the load time: for warning about secrets past their not_after and certificates near expiry. */
export function buildClients(rps: ReadonlyArray<Indexed<RpConfig>>, pipes: ReadonlyMap<string, CompiledPipe>, sink: DiagnosticSink, now: number): Map<string, RegisteredClient> {
  const clients = new Map<string, RegisteredClient>();
  for (const [rp, i] of rps) {
    const byGrant = new Map<string, CompiledPipe>();
    for (const grant of GRANT_TYPES.values()) {
      const pipe = pipes.get(pipeIdOf(rp, grant) ?? '');
      if (pipe) byGrant.set(grant.type, pipe);
    }
    const client = deepFreeze({
      client_id: rp.client_id,
      token_endpoint_auth_method: rp.token_endpoint_auth_method,
      scopes: [...rp.scopes],
      audiences: [...rp.audiences],
      attributes: structuredClone(rp.attributes),
    });
    clients.set(rp.client_id, {
      client,
      client_id: rp.client_id,
      token_endpoint_auth_method: rp.token_endpoint_auth_method,
      secrets: registeredSecrets(rp, i, sink, now),
      ...assertionCredentialsOf(rp, i, sink, now),
      pipes: byGrant,
      introspection: rp.introspection,
    });
  }
  return clients;
}
