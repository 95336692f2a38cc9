/**
 * The text form of a ConfigDiff: one line per change, grouped (RPs, pipes, keys, signing
 * keys, trusted issuers, settings), each line whole on its own so that grep finds it.
 */
import type { ConfigDiff, PipeChange, RpChange, SettingChange } from './types.js';

/** A name from the config as printed: quoted when it holds anything a terminal would act on. */
function shown(value: unknown): string {
  if (typeof value === 'string') return /[\x00-\x1f\x7f-\x9f]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? 'none';
}

const list = (items: readonly string[]): string => (items.length > 0 ? items.map(shown).join(', ') : 'none');

const kids = (items: readonly string[]): string => (items.length > 0 ? items.map((k) => (k.startsWith('generated:') ? `a generated key of keystore ${shown(k.slice(10))}` : `kid ${shown(k)}`)).join(', ') : 'no key');

function rpChange(change: RpChange): string {
  if ('changed' in change) return `${change.field} changed`;
  switch (change.field) {
    case 'pipe': {
      const c = change as Extract<RpChange, { field: 'pipe' }>;
      return `pipe for ${c.grant_type}: ${c.from === null ? 'none' : shown(c.from)} → ${c.to === null ? 'none' : shown(c.to)}`;
    }
    case 'token_endpoint_auth_method': {
      const c = change as Extract<RpChange, { field: 'token_endpoint_auth_method' }>;
      return `token_endpoint_auth_method: ${shown(c.from)} → ${shown(c.to)}`;
    }
    case 'scopes': {
      const c = change as Extract<RpChange, { field: 'scopes' }>;
      return `scopes: ${[...c.added.map((s) => `+${shown(s)}`), ...c.removed.map((s) => `-${shown(s)}`)].join(' ')}`;
    }
    default:
      return 'secret changed';
  }
}

/** A signing key resource servers have not seen: tokens fail where /jwks is cached (RFC 7517 keys are fetched, then cached). */
function unannounced(kids: readonly string[]): string {
  if (kids.length === 0) return '';
  return `; ${kids.map((k) => `kid ${shown(k)}`).join(', ')} not published before: resource servers holding a cached /jwks cannot verify these tokens until they fetch it again (publish first, sign in a later reload)`;
}

function pipeChange(change: PipeChange): string {
  if (change.kind === 'valves') return `valves ${list(change.from)} → ${list(change.to)}`;
  return `valve ${change.position} ${shown(change.name)}: ${change.fields.join(', ')} changed`;
}

function setting(change: SettingChange): string {
  const values = 'to' in change ? `: ${shown(change.from)} → ${shown(change.to)}` : ' changed';
  return `${change.setting}${values}${change.restart ? ' (needs a restart: a reload keeps the old value)' : ''}`;
}

export function formatDiff(diff: ConfigDiff): string[] {
  const { rps, pipes, keys, signing, trusted_issuers: issuers, settings } = diff;
  const used = (ids: readonly string[]) => (ids.length > 0 ? `used by ${list(ids)}` : 'used by no client');
  return [
    ...rps.added.map((id) => `rp added: ${shown(id)}`),
    ...rps.removed.map((id) => `rp removed: ${shown(id)}`),
    ...rps.changed.flatMap(({ client_id, changes }) => changes.map((c) => `rp changed: ${shown(client_id)}: ${rpChange(c)}`)),
    ...pipes.added.map((p) => `pipe added: ${shown(p.id)} (${used(p.used_by)})`),
    ...pipes.removed.map((p) => `pipe removed: ${shown(p.id)} (was ${used(p.used_by)})`),
    ...pipes.changed.flatMap((p) => p.changes.map((c) => `pipe changed: ${shown(p.id)}: ${pipeChange(c)} (${used(p.used_by)})`)),
    ...keys.published.map((k) => `key published: kid ${shown(k.kid)} (keystore ${shown(k.keystore)})`),
    ...keys.retired.map((k) => `key retired: kid ${shown(k.kid)} (keystore ${shown(k.keystore)})${k.still_signing ? '; OLD signs with it: tokens it issued stop verifying before they expire (keep it published for the longest token lifetime)' : ''}`),
    ...keys.replaced.map((k) => `key replaced: kid ${shown(k.kid)} (keystore ${shown(k.keystore)}) is a different key now: verifiers that cached the old one fail until they fetch /jwks again`),
    ...keys.generated.map((g) => {
      const what = g.change === 'changed' ? `${g.from!.alg}${g.from!.publish ? '' : ' unpublished'} → ${g.to!.alg}${g.to!.publish ? '' : ' unpublished'}` : g.change;
      return `generated keystore ${g.change}: ${shown(g.keystore)}${g.change === 'changed' ? `: ${what}` : ''} (compared by id and alg: a generated key has a new kid at every start)`;
    }),
    ...signing.map((s) => `signing key changed: ${s.pipe !== undefined ? `pipe ${shown(s.pipe)}` : `keystore ${shown(s.keystore)}`}: ${kids(s.from)} → ${kids(s.to)}${unannounced(s.unannounced)}`),
    ...issuers.added.map((id) => `trusted issuer added: ${shown(id)}`),
    ...issuers.removed.map((id) => `trusted issuer removed: ${shown(id)}`),
    ...issuers.changed.map((t) => `trusted issuer changed: ${shown(t.id)}: ${t.fields.join(', ')} changed`),
    ...settings.map((s) => `setting changed: ${setting(s)}`),
  ];
}
