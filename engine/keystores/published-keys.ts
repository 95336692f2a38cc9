/**
 * The JWK Set served at /jwks (RFC 7517 section 5): every published key, in config order,
 * with a strong ETag (RFC 9110 section 8.8.3) over the exact body. With rotation groups the
 * set changes over time (a previous key retires); the document is built once and again only
 * when such a moment has passed, so a request reads a cached string.
 */
import type { JWK } from 'jose';
import { jsonDocument } from '../json-document.js';
import { isTimed } from './rotation.js';
import type { Keystore } from './types.js';

export interface JwksDocument {
  readonly keys: readonly JWK[];
  /** The JSON body, serialised once. */
  readonly body: string;
  /** Quoted, strong: a hash of `body`. */
  readonly etag: string;
}

export class PublishedKeys {
  private cached: { document: JwksDocument; until: number } | undefined;

  constructor(
    private readonly keystores: readonly Keystore[],
    private readonly now: () => number,
  ) {}

  /** Whether any key's publication depends on times in the store. */
  get rotates(): boolean {
    return this.keystores.some(isTimed);
  }

  /** Reads the rotation groups' times (once per engine) and the managed keys (when due) from the store. */
  async ready(): Promise<void> {
    await Promise.all(this.keystores.map((k) => (isTimed(k) ? k.sync() : undefined)));
  }

  document(): JwksDocument {
    const now = this.now();
    if (this.cached && now < this.cached.until) return this.cached.document;
    const keys: JWK[] = [];
    let until = Infinity;
    for (const keystore of this.keystores) {
      if (isTimed(keystore)) {
        const published = keystore.published(now);
        keys.push(...published.keys);
        until = Math.min(until, published.until);
      } else if (keystore.publish) keys.push({ ...keystore.publicJwk });
    }
    this.cached = { document: Object.freeze({ keys: Object.freeze(keys), ...jsonDocument({ keys }) }), until };
    return this.cached.document;
  }
}
