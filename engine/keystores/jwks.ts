import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { x5cCertificates } from './certificates.js';
import { invalidFile, type KeyFile } from './file.js';
import type { KeyHints } from './keystore.js';
import { SIGNING_ALGS, type KeystoreConfig, type SigningAlg } from './types.js';

type Jwk = Record<string, unknown>;

const isObject = (v: unknown): v is Jwk => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A private JWK Set (RFC 7517 §5). `alias` picks a key by `kid`; by default the first key with
 * a private part (`d`, RFC 7518 §6.2.2.1 / §6.3.2.1, RFC 8037 §2) not marked `"use": "enc"`
 * (RFC 7517 §4.2). The key's own `kid` and `alg` are kept (config wins), since other parties
 * may already know the key by them.
 */
export function loadJwksKey(config: KeystoreConfig, { file, data }: KeyFile): { key: KeyObject; hints: KeyHints } {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw invalidFile(config, file, `not JSON: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (!isObject(doc) || !Array.isArray(doc.keys)) throw invalidFile(config, file, 'not a JWK Set: expected {"keys": [...]}');
  const keys = doc.keys.filter(isObject);

  let jwk: Jwk | undefined;
  if (config.alias === undefined) {
    jwk = keys.find((k) => k.d !== undefined && k.use !== 'enc');
    if (jwk === undefined) throw invalidFile(config, file, 'no private signing key (a JWK with "d") in the set');
  } else {
    jwk = keys.find((k) => k.kid === config.alias);
    if (jwk === undefined) {
      const available = keys.map((k) => (typeof k.kid === 'string' ? `'${k.kid}'` : '(no kid)')).join(', ');
      throw new ConfigError('keystore_invalid',
        `keystore '${config.id}': no key with kid '${config.alias}' in ${file}; available: ${available || 'none'}`, ['alias']);
    }
    if (jwk.d === undefined) {
      throw new ConfigError('keystore_invalid',
        `keystore '${config.id}': key '${config.alias}' in ${file} is public only (no "d")`, ['alias']);
    }
    if (jwk.use === 'enc') {
      throw new ConfigError('keystore_invalid',
        `keystore '${config.id}': key '${config.alias}' in ${file} is for encryption ("use": "enc"), not signing`, ['alias']);
    }
  }

  const hints: KeyHints = { certificates: x5cCertificates(jwk.x5c) };
  if (typeof jwk.kid === 'string') hints.kid = jwk.kid;
  if (jwk.alg !== undefined) {
    if (!(SIGNING_ALGS as readonly unknown[]).includes(jwk.alg)) {
      throw invalidFile(config, file, `key alg ${String(jwk.alg)} is not a supported signing alg (${SIGNING_ALGS.join(', ')})`);
    }
    hints.alg = jwk.alg as SigningAlg;
  }
  try {
    return { key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }), hints };
  } catch (err) {
    throw invalidFile(config, file, `unusable JWK: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
