/**
 * Settings outside RPs, pipes and keys: the issuer, the server, the store, logging,
 * plugins, roles, discovery metadata; and the trusted issuers. Some a reload cannot apply: the
 * HTTP server is created once, at start, with the `server` settings and its routes mounted
 * under the issuer's path (engine/http/server.ts); those say `restart`. A changed `store`
 * is opened by the reload, which must find it answering (engine/reload/prepare.ts).
 */
import type { Engine } from '../engine.js';
import { issuerPath } from '../http/paths.js';
import { changedMetricsPlace } from '../reload/server-settings.js';
import { minus, same } from './same.js';
import type { ConfigDiff, SettingChange } from './types.js';

/** Store settings shown with their values; the others (url, password…) may hold a credential. */
const SHOWN_STORE_SETTINGS = new Set(['type', 'capacity', 'prefix', 'start_timeout', 'name']);

export function diffSettings(before: Engine, after: Engine): SettingChange[] {
  const changes: SettingChange[] = [];
  if (before.issuer !== after.issuer) {
    changes.push({ setting: 'issuer', from: before.issuer, to: after.issuer, restart: issuerPath(before.issuer) !== issuerPath(after.issuer) });
  }
  const server = (engine: Engine) => engine.config.server as unknown as Record<string, unknown>;
  for (const key of keysOf(server(before), server(after))) {
    const from = server(before)[key];
    const to = server(after)[key];
    if (!same(from, to)) changes.push({ setting: `server.${key}`, from, to, restart: true });
  }
  const store = (engine: Engine) => engine.config.store as unknown as Record<string, unknown>;
  for (const key of keysOf(store(before), store(after))) {
    if (same(store(before)[key], store(after)[key])) continue;
    const values = SHOWN_STORE_SETTINGS.has(key) ? { from: store(before)[key], to: store(after)[key] } : {};
    changes.push({ setting: `store.${key}`, ...values, restart: false });
  }
  const metrics = (engine: Engine) => engine.config.metrics as unknown as Record<string, unknown>;
  const metricsKept = changedMetricsPlace(before, after);
  for (const key of keysOf(metrics(before), metrics(after))) {
    const from = metrics(before)[key];
    const to = metrics(after)[key];
    if (!same(from, to)) changes.push({ setting: `metrics.${key}`, from, to, restart: metricsKept.includes(`metrics.${key}`) });
  }
  changes.push(...diffManagedKeystores(before, after));
  if (before.config.log.level !== after.config.log.level) changes.push({ setting: 'log.level', from: before.config.log.level, to: after.config.log.level, restart: false });
  if (!same(before.config.plugins, after.config.plugins)) changes.push({ setting: 'plugins', from: before.config.plugins, to: after.config.plugins, restart: false });
  if (!same([...before.config.roles].sort(), [...after.config.roles].sort())) changes.push({ setting: 'roles', from: before.config.roles, to: after.config.roles, restart: false });
  if (!same(before.config.oidc.discovery_meta, after.config.oidc.discovery_meta)) changes.push({ setting: 'oidc.discovery_meta', restart: false });
  return changes;
}

/** Managed keystore settings shown with their values; encryption_key never is. */
const SHOWN_MANAGED_SETTINGS = new Set(['type', 'alg', 'rotate_every', 'publish']);

/**
 * Managed keystores make their keys in the store, so the JWKS a diff compares holds none of
 * theirs: their settings are compared here instead (a new encryption_key, say, opens none of
 * the stored keys, and the reload is refused).
 */
function diffManagedKeystores(before: Engine, after: Engine): SettingChange[] {
  const managed = (engine: Engine) => new Map(engine.config.keystores.filter((k) => k.type === 'managed').map((k) => [k.id, k as unknown as Record<string, unknown>]));
  const old = managed(before);
  const now = managed(after);
  const changes: SettingChange[] = [];
  for (const id of new Set([...old.keys(), ...now.keys()])) {
    const from = old.get(id) ?? {};
    const to = now.get(id) ?? {};
    for (const key of keysOf(from, to)) {
      if (same(from[key], to[key])) continue;
      const values = SHOWN_MANAGED_SETTINGS.has(key) ? { from: from[key], to: to[key] } : {};
      changes.push({ setting: `keystores.${id}.${key}`, ...values, restart: false });
    }
  }
  return changes;
}

function keysOf(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

/** By id: added, removed, or changed (which fields, by name). */
export function diffTrustedIssuers(before: Engine, after: Engine): ConfigDiff['trusted_issuers'] {
  const byId = (engine: Engine) => new Map(engine.config.trusted_issuers.map((t) => [t.id, t as unknown as Record<string, unknown>]));
  const old = byId(before);
  const now = byId(after);
  const changed = [...now.keys()].filter((id) => old.has(id)).flatMap((id) => {
    const fields = keysOf(old.get(id)!, now.get(id)!).filter((f) => !same(old.get(id)![f], now.get(id)![f])).sort();
    return fields.length > 0 ? [{ id, fields }] : [];
  });
  return { added: minus(now.keys(), old.keys()), removed: minus(old.keys(), now.keys()), changed };
}
