/**
 * Keystores that share an id are one rotation group (key-states.ts): the checks on the
 * group as written, before any key is loaded. Each problem points at the entry to fix.
 */
import type { Indexed } from '../config/cross-refs.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { DEFAULT_KEY_STATE, type KeyState } from './key-states.js';
import type { KeystoreConfig } from './types.js';

export const stateOf = (config: KeystoreConfig): KeyState => config.state ?? DEFAULT_KEY_STATE;

/** The entries by id, in config order. */
export function groupById<T extends KeystoreConfig>(entries: ReadonlyArray<Indexed<T>>): Map<string, Array<Indexed<T>>> {
  const groups = new Map<string, Array<Indexed<T>>>();
  for (const entry of entries) groups.set(entry[0].id, [...(groups.get(entry[0].id) ?? []), entry]);
  return groups;
}

/** Whether entries form a rotation (more than a plain, always-published, current key). */
export function isRotation(entries: ReadonlyArray<Indexed<KeystoreConfig>>): boolean {
  return entries.length > 1 || entries.some(([c]) => stateOf(c) !== 'current' || c.retire_at !== undefined);
}

/** Seconds since the epoch of a `retire_at`, or undefined when it is not an RFC 3339 date-time. */
export function parseRetireAt(value: string): number | undefined {
  // RFC 3339 section 5.6, with a zone: a time without one means different instants on different hosts.
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export function checkKeyGroups(entries: ReadonlyArray<Indexed<KeystoreConfig>>, now: number, sink: DiagnosticSink): void {
  for (const [id, group] of groupById(entries)) {
    const managed = group.find(([c]) => c.type === 'managed');
    if (managed) {
      // Its own fields are checked with the managed keystore (managed/load.ts).
      if (group.length > 1) sink.add('key_rotation', `keystore '${id}' is managed: it rotates its own keys, so no other keystore may share its id`, ['keystores', managed[1], 'id']);
      continue;
    }
    const currents = group.filter(([c]) => stateOf(c) === 'current');
    if (currents.length === 0) {
      const [, i] = group[0]!;
      sink.add('key_rotation', `keystore '${id}' has no current key: give one of its keys state: current (the default), the key that signs`, ['keystores', i, 'state']);
    }
    for (const [config, i] of currents.slice(1)) {
      const first = currents[0]![1];
      if (config.state === undefined) sink.add('duplicate_id', `duplicate id '${id}' (also keystores[${first}]): keystores sharing an id are the keys of one rotation; give all but the signing one state: next or previous`, ['keystores', i, 'id']);
      else sink.add('key_rotation', `keystore '${id}' already has a current key (keystores[${first}]): only one key signs; make this one next or previous`, ['keystores', i, 'state']);
    }
    for (const [config, i] of group) checkEntry(id, config, i, now, sink);
  }
}

function checkEntry(id: string, config: KeystoreConfig, i: number, now: number, sink: DiagnosticSink): void {
  const state = stateOf(config);
  if (state !== 'current' && config.publish === false) {
    sink.add('key_rotation', `a ${state} key is there to be published: remove publish: false, or the key`, ['keystores', i, 'publish']);
  }
  if (config.retire_at === undefined) return;
  if (state !== 'previous') {
    sink.add('key_rotation', `retire_at applies to a previous key; this one is ${state}`, ['keystores', i, 'retire_at'], { atKey: true });
    return;
  }
  const retireAt = parseRetireAt(config.retire_at);
  if (retireAt === undefined) sink.add('key_rotation', 'retire_at must be an RFC 3339 date-time with a zone, such as 2026-12-01T00:00:00Z', ['keystores', i, 'retire_at']);
  else if (retireAt <= now) sink.warn('key_rotation', `keystore '${id}': this previous key has been retired since ${config.retire_at} (no longer published); remove it from the config`, ['keystores', i]);
}
