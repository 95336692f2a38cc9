/**
 * `type: managed`: the server makes its own signing keys and rotates them. Time is cut into
 * periods of rotate_every from the ring's anchor (the first start, recorded in the store);
 * period n has one key, stored under its slot number. Whichever instance first needs a
 * slot's key makes one and stores it with putIfAbsent: exactly one wins, the others adopt
 * it, so every instance and worker on the store signs and publishes the same keys.
 *
 * - a period's key is made an announce window (max-age + margin) or more before the period
 *   starts, and published from then on: resource servers learn it before it signs;
 * - it signs from the period's start, or once it has been published for the announce
 *   window if it was made late (no instance was up in time), the former key signing until
 *   then; the very first key signs at once;
 * - it stays published until the longest token lifetime + max-age after its successor
 *   started signing; its store entry then expires.
 *
 * Keys are sealed at rest (sealed-key.ts). The ring is read from the store at start and
 * then refreshed when due (every minute at most): a token request never waits on the
 * store; it starts a refresh in the background and signs from memory.
 */
import type { JWK } from 'jose';
import { TemporarilyUnavailable } from '../../errors.js';
import { newPrivateKey } from '../generated.js';
import { createKeystore } from '../keystore.js';
import { DEFAULT_TOKEN_LIFETIME, WINDOW_MARGIN, type PublishedNow, type RotationContext } from '../rotation.js';
import type { Keystore, SigningAlg, TokenSigner } from '../types.js';
import { parseSealed, seal, unseal, type SealedKey } from './sealed-key.js';

export interface ManagedSettings {
  readonly id: string;
  readonly alg: SigningAlg;
  /** Seconds. */
  readonly rotateEvery: number;
  readonly encryptionKey: Buffer;
}

interface RingKey {
  readonly slot: number;
  readonly keystore: Keystore;
  readonly created: number;
  readonly start: number;
}

const MAX_REFRESH_INTERVAL = 60;
const RETRY_AFTER_FAILURE = 10;
const ANCHOR_TTL = 100 * 365 * 86400;

export class ManagedKeystore implements Keystore {
  readonly publish = true;
  readonly algorithms: readonly SigningAlg[];
  private ring: RingKey[] = [];
  /** Older slots found empty at start: not asked again. */
  private readonly absent = new Set<number>();
  private anchor: number | undefined;
  private refreshDue = -Infinity;
  private refreshing: Promise<void> | undefined;
  private longestLifetime = 0;

  constructor(
    private readonly settings: ManagedSettings,
    private readonly context: RotationContext,
  ) {
    this.algorithms = [settings.alg];
  }

  get id(): string { return this.settings.id; }
  get alg(): SigningAlg { return this.settings.alg; }
  /** Before the ring is read: a placeholder no key has (duplicate-kid checks compare kids). */
  get kid(): string { return this.signingKey(this.context.now())?.kid ?? `managed:${this.settings.id}`; }
  get publicJwk(): Readonly<JWK> { return this.signingKey(this.context.now())?.publicJwk ?? {}; }
  get keys(): readonly Keystore[] { return this.ring.map((k) => k.keystore); }

  noteTokenLifetime(seconds: number): void {
    this.longestLifetime = Math.max(this.longestLifetime, seconds);
  }

  signer(header?: Record<string, unknown>, alg: SigningAlg = this.settings.alg): TokenSigner {
    // Signers per key, made when a key first signs: keys come and go while this one lives.
    const signers = new WeakMap<Keystore, TokenSigner>();
    return (payload) => {
      const key = this.keyForSigning();
      let sign = signers.get(key);
      if (!sign) signers.set(key, (sign = key.signer(header, alg)));
      return sign(payload);
    };
  }

  sign(payload: Record<string, unknown>, header?: Record<string, unknown>, alg: SigningAlg = this.settings.alg): Promise<string> {
    return this.keyForSigning().sign(payload, header, alg);
  }

  /** Reads the ring when a refresh is due (at start: always); throws when it cannot be read. */
  async sync(): Promise<void> {
    if (this.context.now() >= this.refreshDue) await this.refresh().catch((error: unknown) => this.refreshFailed(error));
  }

  published(now: number): PublishedNow {
    this.refreshInBackground(now);
    const keys: JWK[] = [];
    let until = this.refreshDue > now ? this.refreshDue : now + 1;
    for (const key of this.ring) {
      const retireAt = this.retireAt(key);
      if (retireAt <= now) continue;
      until = Math.min(until, retireAt);
      keys.push({ ...key.keystore.publicJwk });
    }
    return { keys, until };
  }

  private keyForSigning(): Keystore {
    const now = this.context.now();
    this.refreshInBackground(now);
    const key = this.signingKey(now);
    // Only when the store never answered since start (serve waits for it, so hardly ever).
    if (!key) throw TemporarilyUnavailable('no signing key yet: the store holding the managed keys does not answer');
    return key;
  }

  private get announce(): number {
    return this.context.maxAge + WINDOW_MARGIN;
  }

  private activatesAt(key: RingKey): number {
    return Math.max(key.start, key.created + this.announce);
  }

  private retireAt(key: RingKey): number {
    const successor = this.ring.find((k) => k.slot > key.slot);
    return successor ? this.activatesAt(successor) + (this.longestLifetime || DEFAULT_TOKEN_LIFETIME) + this.context.maxAge + WINDOW_MARGIN : Infinity;
  }

  /** The newest key past its activation; the first key ever signs at once. */
  private signingKey(now: number): Keystore | undefined {
    let chosen: RingKey | undefined;
    for (const key of this.ring) if (this.activatesAt(key) <= now) chosen = key;
    return (chosen ?? this.ring[0])?.keystore;
  }

  private refreshInBackground(now: number): void {
    if (now < this.refreshDue || this.refreshing) return;
    this.refresh().catch((error: unknown) => {
      try {
        this.refreshFailed(error);
      } catch {
        // logged; the keys in memory keep signing
      }
    });
  }

  /** Logs why (never key material), and throws it on: serve stops at start, /jwks goes on. */
  private refreshFailed(error: unknown): never {
    this.context.logger.error({ event: 'managed_keys_unavailable', keystore: this.settings.id, code: (error as { code?: string }).code, error: (error as Error).message },
      `keystore '${this.settings.id}': the managed keys could not be read; signing with the keys in memory`);
    throw error;
  }

  private refresh(): Promise<void> {
    const started = this.context.now();
    this.refreshing ??= this.readRing()
      .catch((error: unknown) => {
        // Tried again a little later, not on every request meanwhile (one log line each).
        this.refreshDue = started + RETRY_AFTER_FAILURE;
        throw error;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async readRing(): Promise<void> {
    const store = this.context.store;
    if (!store) return;
    const now = this.context.now();
    const { rotateEvery } = this.settings;
    this.anchor ??= await this.readAnchor(now);
    const current = Math.max(0, Math.floor((now - this.anchor) / rotateEvery));
    const lifetime = (this.longestLifetime || DEFAULT_TOKEN_LIFETIME) + this.context.maxAge + WINDOW_MARGIN;
    const lookBack = Math.ceil((lifetime + this.announce) / rotateEvery) + 1;
    for (let slot = Math.max(0, current - lookBack); slot < current; slot++) {
      if (this.has(slot) || this.absent.has(slot)) continue;
      const stored = await store.get(this.slotName(slot));
      if (stored === undefined) this.absent.add(slot);
      else await this.adopt(slot, stored);
    }
    const nextStart = this.anchor + (current + 1) * rotateEvery;
    const wanted = now >= nextStart - 2 * this.announce ? [current, current + 1] : [current];
    for (const slot of wanted) if (!this.has(slot)) await this.makeOrAdopt(slot, now);
    this.ring = this.ring.filter((key) => this.retireAt(key) > now);
    this.refreshDue = now + Math.min(MAX_REFRESH_INTERVAL, Math.floor(this.announce / 2));
  }

  private async readAnchor(now: number): Promise<number> {
    const name = `keys:managed:${this.settings.id}:anchor`;
    await this.context.store!.putIfAbsent(name, ANCHOR_TTL, String(now));
    const anchor = Number(await this.context.store!.get(name));
    return Number.isFinite(anchor) ? anchor : now;
  }

  private async makeOrAdopt(slot: number, now: number): Promise<void> {
    const store = this.context.store!;
    const name = this.slotName(slot);
    const stored = await store.get(name);
    if (stored !== undefined) return this.adopt(slot, stored);
    const { id, alg, encryptionKey, rotateEvery } = this.settings;
    const privateKey = await newPrivateKey(alg);
    const keystore = await createKeystore({ id, type: 'managed', alg }, privateKey);
    const start = this.anchor! + slot * rotateEvery;
    const sealed = seal(privateKey, encryptionKey, { keystoreId: id, slot }, { kid: keystore.kid, alg, created: now, activates_at: start });
    // Lives as long as the key may sign or be published, then the store forgets it.
    const ttl = start - now + 3 * rotateEvery + (this.longestLifetime || DEFAULT_TOKEN_LIFETIME) + 4 * this.announce;
    if (await store.putIfAbsent(name, ttl, JSON.stringify(sealed))) {
      this.add({ slot, keystore, created: now, start });
      this.context.logger.info({ event: 'managed_key_created', keystore: id, kid: keystore.kid, slot, signs_from: new Date(Math.max(start, now + this.announce) * 1000).toISOString() }, `keystore '${id}': new key '${keystore.kid}'`);
      return;
    }
    const winner = await store.get(name); // another instance made it first
    if (winner !== undefined) await this.adopt(slot, winner);
  }

  private async adopt(slot: number, stored: string): Promise<void> {
    const { id, alg, encryptionKey } = this.settings;
    const sealed: SealedKey | undefined = parseSealed(stored);
    if (!sealed) throw Object.assign(new Error(`keystore '${id}': the store entry of managed key slot ${slot} is not a sealed key`), { code: 'managed_key_unreadable' });
    const privateKey = unseal(sealed, encryptionKey, { keystoreId: id, slot });
    const keystore = await createKeystore({ id, type: 'managed', alg }, privateKey);
    this.add({ slot, keystore, created: sealed.created, start: sealed.activates_at });
  }

  private add(key: RingKey): void {
    if (this.has(key.slot)) return;
    this.ring = [...this.ring, key].sort((a, b) => a.slot - b.slot);
  }

  private has(slot: number): boolean {
    return this.ring.some((k) => k.slot === slot);
  }

  private slotName(slot: number): string {
    return `keys:managed:${this.settings.id}:slot:${slot}`;
  }
}
