/**
 * A rotation group: the keys of the keystores that share an id (key-states.ts), behind the
 * one Keystore that pipes name. The YAML says which key is next, current or previous; the
 * store says since when (the first instance to see a key in a state records the time with
 * putIfAbsent, so every instance and worker on one store agrees):
 *
 * - the current key signs once it has been published for the JWKS max-age: a resource
 *   server that fetched /jwks just before the key appeared keeps that copy for max-age and
 *   could not verify it sooner. Until then the former current key (the most recently
 *   retired previous one) keeps signing. With no former key (a first start) it signs at once.
 * - a previous key stays published until every token it signed has expired: from when it
 *   stopped signing, the longest token lifetime of the pipes that sign with the group, plus
 *   max-age (a cached JWKS that still lists it does no harm; one that lacks the key would).
 *
 * The times are read once per engine (per load or reload), not per token.
 */
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';
import type { KeyState } from './key-states.js';
import type { Keystore, SigningAlg, TokenSigner } from './types.js';

/** What the groups of one engine share; `store` is set by the store load phase. */
export interface RotationContext {
  readonly now: () => number;
  /** server.jwks_max_age: how long a resource server may keep /jwks. */
  readonly maxAge: number;
  readonly logger: Logger;
  store?: Store;
}

export interface RotationMember {
  readonly keystore: Keystore;
  readonly state: KeyState;
  /** A previous key's configured retire_at (seconds), over the computed one. */
  readonly retireAt?: number | undefined;
}

/** When no valve told its token lifetime (noteTokenLifetime): CreateJwt's default jwt_ttl. */
export const DEFAULT_TOKEN_LIFETIME = 3600;
/**
 * Added to every window: times are whole seconds (a key published at 100.9 s is recorded at
 * 100), and a resource server starts its cache's max-age when the JWKS arrives, a moment
 * after it was served.
 */
export const WINDOW_MARGIN = 2;
/** The records outlive any rotation; one that expired would only restart a window (the safe way). */
const RECORD_TTL = 5 * 365 * 86400;

interface Timeline {
  /** The former key signs while now < holdUntil. */
  readonly former: Keystore | undefined;
  readonly holdUntil: number;
  /** When each previous key leaves /jwks. */
  readonly retireAt: ReadonlyMap<Keystore, number>;
}

/** What a group publishes now, and until when that holds. */
export interface PublishedNow {
  readonly keys: readonly JWK[];
  readonly until: number;
}

export class KeyGroup implements TimedKeystore {
  readonly publish = true;
  private readonly current: Keystore;
  private longestLifetime = 0;
  private timeline: Timeline | undefined;
  private syncing: Promise<Timeline> | undefined;

  constructor(
    readonly id: string,
    private readonly members: readonly RotationMember[],
    private readonly context: RotationContext,
  ) {
    const current = members.find((m) => m.state === 'current');
    if (!current) throw new Error(`keystore '${id}': no current key`); // refused by check before
    this.current = current.keystore;
  }

  get kid(): string { return this.current.kid; }
  get alg(): SigningAlg { return this.current.alg; }
  get algorithms(): readonly SigningAlg[] { return this.current.algorithms; }
  get publicJwk(): Readonly<JWK> { return this.current.publicJwk; }
  /** Every key of the group, for verifying our own tokens (introspection) and discovery's algs. */
  get keys(): readonly Keystore[] { return this.members.map((m) => m.keystore); }

  noteTokenLifetime(seconds: number): void {
    this.longestLifetime = Math.max(this.longestLifetime, seconds);
  }

  signer(header?: Record<string, unknown>, alg: SigningAlg = this.current.alg): TokenSigner {
    const bySigner = new Map<Keystore, TokenSigner>([[this.current, this.current.signer(header, alg)]]);
    for (const key of this.previousKeys()) bySigner.set(key, key.signer(header, fitting(key, alg)));
    return async (payload) => bySigner.get(await this.signingKey())!(payload);
  }

  async sign(payload: Record<string, unknown>, header?: Record<string, unknown>, alg: SigningAlg = this.current.alg): Promise<string> {
    const key = await this.signingKey();
    return key.sign(payload, header, key === this.current ? alg : fitting(key, alg));
  }

  /** The key that signs now: the current one, or the former during its announce window. */
  private async signingKey(): Promise<Keystore> {
    const { former, holdUntil } = this.timeline ?? (await this.sync());
    return former && this.context.now() < holdUntil ? former : this.current;
  }

  /** Reads (and records) the states' times in the store, once; later calls share the answer. */
  sync(): Promise<Timeline> {
    this.syncing ??= this.readTimeline().then((timeline) => (this.timeline = timeline));
    return this.syncing;
  }

  /** Published: next and current keys, and previous ones until they retire. Before sync, every key not past its retire_at. */
  published(now: number): PublishedNow {
    const timeline = this.timeline;
    const keys: JWK[] = [];
    let until = timeline ? Infinity : now; // unsynced: ask again next time
    for (const { keystore, state, retireAt: configured } of this.members) {
      const retireAt = state === 'previous' ? (timeline?.retireAt.get(keystore) ?? configured) : undefined;
      if (retireAt !== undefined && retireAt <= now) continue;
      if (retireAt !== undefined) until = Math.min(until, retireAt);
      keys.push({ ...keystore.publicJwk });
    }
    return { keys, until };
  }

  private previousKeys(): Keystore[] {
    return this.members.filter((m) => m.state === 'previous').map((m) => m.keystore);
  }

  private async readTimeline(): Promise<Timeline> {
    const { now: clock, maxAge, logger } = this.context;
    const now = clock();
    // A key back in use (a rollback) forgets when it was previous: its next retirement counts from then.
    const inUse = this.members.filter((m) => m.state !== 'previous').map((m) => m.keystore);
    const publishedSince = await Promise.all(inUse.map((k) => this.forget('previous', k).then(() => this.record('published', k, now))));
    const currentSince = publishedSince[inUse.indexOf(this.current)]!;
    const previous = this.previousKeys();
    const previousSince = await Promise.all(previous.map((k) => this.record('previous', k, now)));
    // The former current key: the one that became previous last (config order breaks ties).
    let former: Keystore | undefined;
    let formerSince = -Infinity;
    previous.forEach((k, n) => {
      if (previousSince[n]! > formerSince) [former, formerSince] = [k, previousSince[n]!];
    });
    // The former key signs only while it is published: a retire_at inside the announce window
    // (or past) ends its signing there, as a token by a key /jwks no longer lists verifies nowhere.
    const formerRetireAt = former && this.members.find((m) => m.keystore === former)!.retireAt;
    const holdUntil = Math.min(currentSince + maxAge + WINDOW_MARGIN, formerRetireAt ?? Infinity);
    if (former && now < holdUntil) {
      logger.warn({ event: 'key_announce_wait', keystore: this.id, kid: this.current.kid, former_kid: former.kid, signs_from: new Date(holdUntil * 1000).toISOString() },
        `keystore '${this.id}': key '${this.current.kid}' is current but was published only ${now - currentSince} s ago, less than server.jwks_max_age (${maxAge} s); key '${former.kid}' signs until then, so that cached JWKS can verify every token`);
    }
    const lifetime = this.longestLifetime || DEFAULT_TOKEN_LIFETIME;
    const retireAt = new Map<Keystore, number>();
    previous.forEach((k, n) => {
      const configured = this.members.find((m) => m.keystore === k)!.retireAt;
      const stoppedSigning = k === former ? Math.max(previousSince[n]!, holdUntil) : previousSince[n]!;
      retireAt.set(k, configured ?? stoppedSigning + lifetime + maxAge + WINDOW_MARGIN);
    });
    return { former, holdUntil, retireAt };
  }

  /** When `key` was first seen in `state` by any instance on the store; now when the store cannot say. */
  private async record(state: 'published' | 'previous', key: Keystore, now: number): Promise<number> {
    const store = this.context.store;
    if (!store) return now;
    const name = await recordName(state, key);
    try {
      if (await store.putIfAbsent(name, RECORD_TTL, String(now))) return now;
      const since = Number(await store.get(name));
      return Number.isFinite(since) ? since : now;
    } catch (error) {
      this.storeFailed(error);
      return now; // the later time: announce windows wait longer, retired keys stay longer
    }
  }

  private async forget(state: 'previous', key: Keystore): Promise<void> {
    try {
      await this.context.store?.delete(await recordName(state, key));
    } catch (error) {
      this.storeFailed(error);
    }
  }

  private storeFailed(error: unknown): void {
    this.context.logger.warn({ event: 'key_times_unavailable', keystore: this.id, error: (error as Error).message },
      `keystore '${this.id}': the store did not answer; key times count from now (keys wait longer to sign and to retire)`);
  }
}

/**
 * A key's record names the key itself (its RFC 7638 thumbprint), not only its kid: kids are
 * names an operator may give again to a new key, which must not inherit the old key's times
 * (it would sign at once, announced to nobody).
 */
async function recordName(state: 'published' | 'previous', key: Keystore): Promise<string> {
  return `keys:${state}:${key.kid}:${await calculateJwkThumbprint(key.publicJwk as JWK)}`;
}

/** The alg a former key signs with: the one asked for when it can (an RSA → EC rotation cannot). */
function fitting(key: Keystore, alg: SigningAlg): SigningAlg {
  return key.algorithms.includes(alg) ? alg : key.alg;
}

/** A keystore whose published keys change with time: a rotation group, a managed keystore. */
export interface TimedKeystore extends Keystore {
  /** Every key it holds now (its members; a managed keystore's ring). */
  readonly keys: readonly Keystore[];
  published(now: number): PublishedNow;
  /** Reads what the store says (a group: once; a managed keystore: when a refresh is due). */
  sync(): Promise<unknown>;
}

export function isTimed(keystore: Keystore): keystore is TimedKeystore {
  return typeof (keystore as Partial<TimedKeystore>).published === 'function';
}

/** The keys behind a keystore: a group's members, a managed ring, or the keystore itself. */
export function keysOf(keystore: Keystore): readonly Keystore[] {
  return isTimed(keystore) ? keystore.keys : [keystore];
}
