/**
 * The states of a key in a rotation: the keystores that share an `id` are the keys of one
 * rotation group, and pipes name the id, so rotating never edits a pipe. One list: the
 * schema's enum, its description, check and the README derive from it.
 */
export const KEY_STATES = {
  next: 'published at /jwks, never signs: resource servers learn it before it signs',
  current: 'signs, and is published (exactly one per id)',
  previous: 'published only until the tokens it signed have expired, then dropped from /jwks',
} as const;

export type KeyState = keyof typeof KEY_STATES;

export const KEY_STATE_NAMES = Object.keys(KEY_STATES) as KeyState[];

export const DEFAULT_KEY_STATE: KeyState = 'current';

/** The schema description of `state`, derived from KEY_STATES. */
export const KEY_STATE_DESCRIPTION = 'Rotation: keystores sharing an id are one key group that pipes name by the id. ' +
  KEY_STATE_NAMES.map((s) => `${s}: ${KEY_STATES[s]}`).join('; ') + '.';
