import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { ConfigError } from '../errors.js';
import { parsed } from './certificates.js';
import { invalidFile, type KeyFile } from './file.js';
import type { KeystoreConfig } from './types.js';

const KEY_BAGS = new Set([forge.pki.oids.keyBag, forge.pki.oids.pkcs8ShroudedKeyBag]);

/**
 * forge's messages for a failed MAC check (RFC 7292 §5.1) or, in files without a MAC, a bag
 * that does not decrypt (bad CBC padding) with the password.
 */
const WRONG_PASSWORD = /MAC could not be verified|Invalid password|wrong password|Failed to decrypt/i;

/**
 * PKCS#12 (RFC 7292), e.g. from `openssl pkcs12 -export` or `keytool -storetype PKCS12`.
 *
 * forge parses the container, checks the MAC and decrypts the key bags (legacy PBE and the
 * PBES2/AES-256-CBC/SHA-256 of OpenSSL 3 and Java alike). But its key decoder knows only RSA:
 * for EC (and Ed25519) keys it leaves `bag.key` null and keeps the decrypted PrivateKeyInfo in
 * `bag.asn1`. So every key goes to node:crypto as PKCS#8 DER, RSA re-wrapped from forge's key.
 */
export function loadPkcs12Key(config: KeystoreConfig, { file, data }: KeyFile): { key: KeyObject; certificates: X509Certificate[] } {
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    pfx = parsePfx(data.toString('binary'), config.password);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (WRONG_PASSWORD.test(reason)) throw wrongPassword(config, file, err);
    throw invalidFile(config, file, `not a readable PKCS#12 file: ${reason}`, err);
  }

  const bags = pfx.safeContents.flatMap((contents) => contents.safeBags).filter((bag) => KEY_BAGS.has(bag.type));
  if (bags.length === 0) throw invalidFile(config, file, 'no private key in the PKCS#12 file');
  const bag = config.alias === undefined ? bags[0] : pickAlias(config, file, bags, config.alias);

  let der: forge.util.ByteBuffer;
  if (bag?.key) der = forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)));
  else if (bag?.asn1) der = forge.asn1.toDer(bag.asn1);
  else throw invalidFile(config, file, 'the key bag holds no key');
  try {
    const key = createPrivateKey({ key: Buffer.from(der.getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
    return { key, certificates: pkcs12Certificates(pfx) };
  } catch (err) {
    throw invalidFile(config, file, `unreadable private key: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/**
 * RFC 7292 feeds two password encodings to two KDFs: the MAC and legacy PBE take the
 * BMPString (Appendix B.1), PBES2/PBKDF2 takes octets (RFC 8018 §3), which OpenSSL makes
 * UTF-8 (Java refuses non-ASCII passwords). forge passes one JS string to both, so a non-ASCII
 * password passes the MAC check and then fails to decrypt PBES2 bags. forge checks the MAC
 * before decrypting, so the password is then known good: retry with the MAC stripped and the
 * UTF-8 octets. (Without a MAC the retry simply fails again as a wrong password.)
 */
function parsePfx(der: string, password: string | undefined): forge.pkcs12.Pkcs12Pfx {
  try {
    return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);
  } catch (err) {
    const reason = err instanceof Error ? err.message : '';
    if (password === undefined || !/[^\x00-\x7f]/.test(password) || /MAC could not be verified/.test(reason)) throw err;
    const pfx = forge.asn1.fromDer(der);
    if (Array.isArray(pfx.value)) pfx.value.splice(2); // PFX ::= SEQUENCE { version, authSafe, macData }
    return forge.pkcs12.pkcs12FromAsn1(pfx, forge.util.encodeUtf8(password));
  }
}

function friendlyName(bag: forge.pkcs12.Bag): string | undefined {
  const names: unknown = bag.attributes?.friendlyName;
  return Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
}

/** Exact friendlyName first; then case-insensitive, as Java KeyStore aliases are. */
function pickAlias(config: KeystoreConfig, file: string, bags: forge.pkcs12.Bag[], alias: string): forge.pkcs12.Bag {
  const bag = bags.find((b) => friendlyName(b) === alias)
    ?? bags.find((b) => friendlyName(b)?.toLowerCase() === alias.toLowerCase());
  if (bag !== undefined) return bag;
  const available = bags.map((b) => `'${friendlyName(b) ?? '(no name)'}'`).join(', ');
  throw new ConfigError('keystore_invalid',
    `keystore '${config.id}': no key with alias '${alias}' in ${file}; available: ${available}`, ['alias']);
}

function wrongPassword(config: KeystoreConfig, file: string, cause: unknown): ConfigError {
  const message = config.password === undefined
    ? `keystore '${config.id}': ${file} is password-protected; set password`
    : `wrong password for keystore '${config.id}' (${file})`;
  return new ConfigError('keystore_password', message, ['password'], { cause });
}

/** The certificate bags of a decrypted PKCS#12 file. forge keeps a certificate whose key it cannot read (EC) as ASN.1. */
export function pkcs12Certificates(pfx: forge.pkcs12.Pkcs12Pfx): X509Certificate[] {
  const bags = pfx.safeContents.flatMap((contents) => contents.safeBags).filter((bag) => bag.type === forge.pki.oids.certBag);
  return bags.flatMap((bag) => {
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag.asn1 as forge.asn1.Asn1 | undefined);
    if (!asn1) return [];
    return parsed(() => new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')));
  });
}
