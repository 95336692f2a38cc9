/**
 * RPs added, removed and changed, by client_id. A changed RP names what changed: its pipe
 * per grant type, auth method and scopes with their values, a secret only as "secret",
 * and any other field by name (values such as attributes are the operator's business).
 */
import type { RpConfig } from '../config/types.js';
import type { Engine } from '../engine.js';
import { GRANT_TYPES } from '../grants/index.js';
import { minus, same } from './same.js';
import type { ConfigDiff, RpChange } from './types.js';

/** Fields that hold a client secret or its hash: compared, never shown. */
const SECRET_FIELDS = ['client_secret', 'client_secret_hash', 'client_secrets'];

/** Fields that bind grants to pipes: compared through the clients' compiled pipes instead. */
const PIPE_FIELDS = ['grant_pipes', ...[...GRANT_TYPES.values()].flatMap((g) => (g.pipeField ? [g.pipeField] : []))];

/** Fields told with their values. */
const SHOWN_FIELDS = ['client_id', 'token_endpoint_auth_method', 'scopes'];

export function diffClients(before: Engine, after: Engine): ConfigDiff['rps'] {
  const old = rpsById(before);
  const now = rpsById(after);
  const changed = [...now.keys()].filter((id) => old.has(id)).flatMap((id) => {
    const changes = rpChanges(before, after, old.get(id)!, now.get(id)!);
    return changes.length > 0 ? [{ client_id: id, changes }] : [];
  });
  return { added: minus(now.keys(), old.keys()), removed: minus(old.keys(), now.keys()), changed };
}

function rpsById(engine: Engine): Map<string, RpConfig> {
  return new Map(engine.config.rps.map((rp) => [rp.client_id, rp]));
}

function rpChanges(before: Engine, after: Engine, old: RpConfig, now: RpConfig): RpChange[] {
  const changes: RpChange[] = [];
  const oldPipes = before.clients.get(old.client_id)?.pipes ?? new Map();
  const newPipes = after.clients.get(now.client_id)?.pipes ?? new Map();
  for (const grant of GRANT_TYPES.keys()) {
    const from = oldPipes.get(grant)?.id ?? null;
    const to = newPipes.get(grant)?.id ?? null;
    if (from !== to) changes.push({ field: 'pipe', grant_type: grant, from, to });
  }
  if (old.token_endpoint_auth_method !== now.token_endpoint_auth_method) {
    changes.push({ field: 'token_endpoint_auth_method', from: old.token_endpoint_auth_method, to: now.token_endpoint_auth_method });
  }
  const added = minus(now.scopes, old.scopes);
  const removed = minus(old.scopes, now.scopes);
  if (added.length > 0 || removed.length > 0) changes.push({ field: 'scopes', added, removed });
  if (SECRET_FIELDS.some((f) => !same(field(old, f), field(now, f)))) changes.push({ field: 'secret' });
  const others = new Set([...Object.keys(old), ...Object.keys(now)].filter((f) => ![...SECRET_FIELDS, ...PIPE_FIELDS, ...SHOWN_FIELDS].includes(f)));
  for (const f of [...others].sort()) if (!same(field(old, f), field(now, f))) changes.push({ field: f, changed: true });
  return changes;
}

function field(rp: RpConfig, name: string): unknown {
  return (rp as unknown as Record<string, unknown>)[name];
}
