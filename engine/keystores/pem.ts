import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { invalidFile, type KeyFile } from './file.js';
import type { KeystoreConfig } from './types.js';

/**
 * Private key PEM blocks node:crypto reads (RFC 7468): PKCS#8 (§10), encrypted PKCS#8 (§11),
 * and the OpenSSL "traditional" PKCS#1 RSA (RFC 8017 A.1.2) and SEC1 EC (RFC 5915) forms.
 * Other blocks (CERTIFICATE, EC PARAMETERS, PUBLIC KEY…) are skipped.
 */
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;

export function loadPemKey(config: KeystoreConfig, { file, data }: KeyFile): KeyObject {
  const blocks = [...data.toString('latin1').matchAll(KEY_BLOCK)];
  const block = blocks[0];
  if (block === undefined) throw invalidFile(config, file, 'no PEM private key found');
  if (blocks.length > 1) throw invalidFile(config, file, `${blocks.length} private keys found; keep one per file`);

  const pem = block[0];
  // Encrypted PKCS#8, or a traditional key with RFC 1421 Proc-Type encryption headers.
  const encrypted = block[1] === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,ENCRYPTED/m.test(pem);
  if (encrypted && config.password === undefined) {
    throw new ConfigError('keystore_password', `keystore '${config.id}': ${file} is encrypted; set password`, ['password']);
  }
  try {
    return createPrivateKey(encrypted ? { key: pem, passphrase: config.password } : { key: pem });
  } catch (err) {
    // OpenSSL reports a wrong passphrase as "bad decrypt" or as a decoding failure of the garbage
    // it decrypted to; either way, for an encrypted block the password is the likely culprit.
    if (encrypted) {
      throw new ConfigError('keystore_password', `wrong password for keystore '${config.id}' (${file})`, ['password'], { cause: err });
    }
    throw invalidFile(config, file, `unreadable private key: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
