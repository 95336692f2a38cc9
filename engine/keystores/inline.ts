/**
 * Keystores written inside a valve's config rather than under `keystores:` (FortifiedID's
 * CreateJwt `keystore: {path, password, type}`). They load through loadKeystore, like any
 * entry, and join the engine's keystores, so /jwks, discovery's algs and the verification
 * of our own tokens (introspection, revocation, userinfo) all see them.
 *
 * One key, one JWK: a key already published (two pipes naming one file, or the file of a
 * `keystores:` entry) is the keystore that signs, so /jwks lists each key once. Verifiers
 * pick keys by kid; two keys under one kid would fail verification (duplicate-kids.ts), so
 * a different key with a kid already taken is an error.
 */
import { calculateJwkThumbprint } from 'jose';
import { ConfigError } from '../errors.js';
import { isFailedKeystore } from './failed.js';
import { loadKeystore } from './load.js';
import type { Keystore, KeystoreConfig } from './types.js';

/** What an inline keystore may say: a key file and how to open it (never `generated`: a key per valve, lost at restart). */
export interface InlineKeystoreConfig {
  readonly type: Exclude<KeystoreConfig['type'], 'generated'>;
  /** Relative to the config file's directory, as a `keystores:` entry's. */
  readonly path: string;
  readonly password?: string;
  /** The key's alias (PKCS#12 friendlyName; JWKS kid). Default: the first key. */
  readonly alias?: string;
}

const thumbprint = (keystore: Keystore): Promise<string> => calculateJwkThumbprint({ ...keystore.publicJwk }, 'sha256');

/**
 * Loads inline keystores into `keystores` (the engine's map, `keystores:` entries already in
 * it). Loads run one at a time (pipes compile in order), so a second reference to a key
 * finds the first.
 */
export class InlineKeystores {
  constructor(
    private readonly keystores: Map<string, Keystore>,
    private readonly baseDir: string,
    private readonly onFileRead?: (file: string) => void,
  ) {}

  /**
   * The keystore for `config`. Throws ConfigError with a path relative to `config`
   * (['path'], ['password'], ['alias']); its message never holds the password.
   */
  async load(config: InlineKeystoreConfig): Promise<Keystore> {
    const id = config.alias === undefined ? config.path : `${config.path}#${config.alias}`;
    const loaded = await loadKeystore({ ...config, id }, { baseDir: this.baseDir, onFileRead: this.onFileRead });
    const print = await thumbprint(loaded);
    const known = await Promise.all([...this.keystores.values()].filter((k) => !isFailedKeystore(k)).map(async (k) => ({ k, print: await thumbprint(k) })));
    // The same key, published: sign with it (its kid and alg included), so /jwks lists it once.
    const published = known.find((other) => other.print === print && other.k.publish);
    if (published) return published.k;
    const clash = known.find((other) => other.k.kid === loaded.kid && other.print !== print);
    if (clash) {
      throw new ConfigError('duplicate_id', `kid '${loaded.kid}' is also the kid of keystore '${clash.k.id}', a different key: verifiers could not tell the keys apart; give that keystore its own kid`, ['path']);
    }
    this.keystores.set(this.freeId(id), loaded);
    return loaded;
  }

  /** A map key no `keystores:` entry (whose ids are free text) or earlier inline keystore has. */
  private freeId(id: string): string {
    let key = id;
    for (let n = 2; this.keystores.has(key); n++) key = `${id} (${n})`;
    return key;
  }
}
