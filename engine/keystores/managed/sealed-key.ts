/**
 * A managed key at rest: the PKCS#8 private key sealed with AES-256-GCM under the config's
 * encryption_key, bound by its additional data to the keystore and slot it was made for
 * and to its clear fields (a sealed key copied to another slot or keystore, or whose times
 * were altered, does not open). What the store holds is
 * the JSON of SealedKey; the clear key exists only in memory.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { ConfigError } from '../../errors.js';

export interface SealedKey {
  readonly kid: string;
  readonly alg: string;
  /** Seconds: when it was made, and the start of the period it signs in. */
  readonly created: number;
  readonly activates_at: number;
  /** base64url: 12-byte IV, ciphertext, 16-byte GCM tag. */
  readonly iv: string;
  readonly key: string;
  readonly tag: string;
}

/** The code of the error when a sealed key does not open (another encryption_key, or tampering). */
export const UNSEALABLE = 'managed_key_unreadable';

/**
 * The 32-byte key from `encryption_key`: 64 hex digits, or base64 / base64url. Throws a
 * ConfigError at ['encryption_key'] that never repeats the value.
 */
export function parseEncryptionKey(value: string | undefined): Buffer {
  const how = 'must be 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32), from ${env.NAME} or ${file.PATH}';
  if (value === undefined || value === '') throw new ConfigError('keystore_invalid', `a managed keystore needs encryption_key: it ${how}`, []);
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64')
      : undefined;
  if (key?.length !== 32) throw new ConfigError('keystore_invalid', `encryption_key ${how}; this one is ${key ? `${key.length} bytes` : 'neither'}`, ['encryption_key']);
  return key;
}

/**
 * The additional data: where the key belongs, and the clear fields stored beside it (its
 * times decide when it signs), so that an altered time does not open either: whoever can
 * write to the store cannot make a key sign before resource servers could have learnt it.
 */
const aad = (at: { keystoreId: string; slot: number }, fields: Omit<SealedKey, 'iv' | 'key' | 'tag'>) =>
  Buffer.from(`sluice managed key ${at.keystoreId} slot ${at.slot} ${JSON.stringify([fields.kid, fields.alg, fields.created, fields.activates_at])}`);

export function seal(privateKey: KeyObject, encryptionKey: Buffer, at: { keystoreId: string; slot: number }, fields: Omit<SealedKey, 'iv' | 'key' | 'tag'>): SealedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv).setAAD(aad(at, fields));
  const sealed = Buffer.concat([cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })), cipher.final()]);
  return { ...fields, iv: iv.toString('base64url'), key: sealed.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

/** The private key; throws an Error with code UNSEALABLE (and no key material) when it does not open. */
export function unseal(sealed: SealedKey, encryptionKey: Buffer, at: { keystoreId: string; slot: number }): KeyObject {
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(sealed.iv, 'base64url')).setAAD(aad(at, sealed));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    const der = Buffer.concat([decipher.update(Buffer.from(sealed.key, 'base64url')), decipher.final()]);
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw Object.assign(new Error(`keystore '${at.keystoreId}': the managed key of slot ${at.slot} (kid ${String(sealed.kid)}) does not open with encryption_key: the store holds keys sealed under another encryption_key, or altered ones`), { code: UNSEALABLE });
  }
}

/** A stored value as a SealedKey, or undefined when it is not one. */
export function parseSealed(text: string): SealedKey | undefined {
  try {
    const value = JSON.parse(text) as Partial<SealedKey>;
    const ok = ['kid', 'alg', 'iv', 'key', 'tag'].every((k) => typeof value[k as keyof SealedKey] === 'string') && typeof value.created === 'number' && typeof value.activates_at === 'number';
    return ok ? (value as SealedKey) : undefined;
  } catch {
    return undefined;
  }
}
