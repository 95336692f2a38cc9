/**
 * Keys published and retired (from the JWKS each config would serve), and the key each
 * pipe and keystore signs with. A `generated` keystore makes a fresh key, with a fresh kid,
 * at every load: two loads of one config never share it, so generated keystores are
 * compared by what the config says of them (id, alg, publish), never by kid.
 */
import type { Engine } from '../engine.js';
import { KeyGroup } from '../keystores/rotation.js';
import type { Keystore } from '../keystores/types.js';
import { minus, same } from './same.js';
import type { ConfigDiff, GeneratedKeystoreChange, KeyChange, LoadedConfig, SigningChange } from './types.js';

function generatedIds(engine: Engine): Set<string> {
  return new Set(engine.config.keystores.filter((k) => k.type === 'generated').map((k) => k.id));
}

/** A key the config publishes, under the id its pipes name. */
interface PublishedKey {
  readonly id: string;
  readonly publicJwk: Keystore['publicJwk'];
}

/**
 * Published keys by kid, generated ones left out. A rotation group publishes its next and
 * current keys and its previous ones not past a configured retire_at (what it serves before
 * the store says more: the diff contacts no store), not only the current key it signs with.
 */
function publishedKeys(engine: Engine): Map<string, PublishedKey> {
  const generated = generatedIds(engine);
  const now = Math.floor(Date.now() / 1000);
  const keys = new Map<string, PublishedKey>();
  for (const keystore of engine.keystores.values()) {
    if (generated.has(keystore.id)) continue;
    if (keystore instanceof KeyGroup) {
      const served = new Set(keystore.published(now).keys.map((jwk) => jwk.kid));
      for (const key of keystore.keys) if (served.has(key.kid)) keys.set(key.kid, { id: keystore.id, publicJwk: key.publicJwk });
    } else if (keystore.publish) keys.set(keystore.kid, keystore);
  }
  return keys;
}

/** How a diff names the key a keystore signs with. */
function keyName(engine: Engine, keystore: Keystore): string {
  return generatedIds(engine).has(keystore.id) ? `generated:${keystore.id}` : keystore.kid;
}

export function diffKeys(before: LoadedConfig, after: LoadedConfig): ConfigDiff['keys'] {
  const old = publishedKeys(before.engine);
  const now = publishedKeys(after.engine);
  const change = (keys: Map<string, PublishedKey>) => (kid: string): KeyChange => ({ kid, keystore: keys.get(kid)!.id });
  const replaced = [...now.keys()].filter((kid) => old.has(kid) && !same(old.get(kid)!.publicJwk, now.get(kid)!.publicJwk));
  const oldSigners = new Set(before.keyUses.map((u) => u.keystore.kid));
  return {
    published: minus(now.keys(), old.keys()).map(change(now)),
    retired: minus(old.keys(), now.keys()).map((kid) => ({ ...change(old)(kid), still_signing: oldSigners.has(kid) })),
    replaced: replaced.map(change(now)),
    generated: diffGenerated(before.engine, after.engine),
  };
}

function diffGenerated(before: Engine, after: Engine): GeneratedKeystoreChange[] {
  const settings = (engine: Engine) => new Map(engine.config.keystores.filter((k) => k.type === 'generated').map((k) => {
    const keystore = engine.keystores.get(k.id);
    return [k.id, { alg: keystore?.alg ?? k.alg ?? 'ES256', publish: keystore?.publish ?? k.publish ?? true }] as const;
  }));
  const old = settings(before);
  const now = settings(after);
  return [
    ...minus(now.keys(), old.keys()).map((keystore) => ({ keystore, change: 'added' as const, to: now.get(keystore)! })),
    ...minus(old.keys(), now.keys()).map((keystore) => ({ keystore, change: 'removed' as const, from: old.get(keystore)! })),
    ...[...now.keys()].filter((id) => old.has(id) && !same(old.get(id), now.get(id))).map((keystore) => ({ keystore, change: 'changed' as const, from: old.get(keystore)!, to: now.get(keystore)! })),
  ];
}

/** Per pipe (in both configs) the keys its valves sign with; per `keystores:` entry (in both) its key. */
export function diffSigning(before: LoadedConfig, after: LoadedConfig): SigningChange[] {
  const signers = (loaded: LoadedConfig, pipe: string) => [...new Set(loaded.keyUses.filter((u) => u.pipe === pipe).map((u) => keyName(loaded.engine, u.keystore)))];
  const pipeIds = (loaded: LoadedConfig) => loaded.engine.config.pipes.map((p) => p.id);
  const oldPipes = new Set(pipeIds(before));
  const announced = new Set(publishedKeys(before.engine).keys());
  const unannounced = (kids: readonly string[]) => kids.filter((kid) => !kid.startsWith('generated:') && !announced.has(kid));
  const pipes = pipeIds(after).filter((id) => oldPipes.has(id)).flatMap((pipe): SigningChange[] => {
    const from = signers(before, pipe);
    const to = signers(after, pipe);
    return same([...from].sort(), [...to].sort()) ? [] : [{ pipe, from, to, unannounced: unannounced(to) }];
  });
  // One line per id: the keys of a rotation group share theirs.
  const keystoreIds = new Set(after.engine.config.keystores.map((k) => k.id));
  const keystores = [...keystoreIds].flatMap((id): SigningChange[] => {
    const old = before.engine.keystores.get(id);
    const now = after.engine.keystores.get(id);
    if (!old || !now || !before.engine.config.keystores.some((k) => k.id === id)) return [];
    const from = keyName(before.engine, old);
    const to = keyName(after.engine, now);
    return from === to ? [] : [{ keystore: id, from: [from], to: [to], unannounced: unannounced([to]) }];
  });
  return [...pipes, ...keystores];
}
