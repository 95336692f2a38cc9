import { createCipheriv, createHash, createHmac, createPublicKey, pbkdf2, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { bitString, bmp, explicit, nil, octets, oid, seq, set, time, uint, utf8 } from './der.js';

/**
 * Writes PKCS#12 files for any key type. forge's own writer (toPkcs12Asn1) takes only forge
 * RSA keys, signs certificates only with RSA, and MACs with SHA-1; so the structures are built
 * here from node:crypto output, in OpenSSL 3 / Java 17 style: PBES2 (PBKDF2-HMAC-SHA256,
 * AES-256-CBC) shrouded key bag and an HMAC-SHA256 MAC. forge supplies the PKCS#12 MAC KDF.
 */

const OID = {
  data: '1.2.840.113549.1.7.1', // RFC 2315 §14
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2', // RFC 7292 §4.2
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1', // RFC 7292 §4.2.3
  friendlyName: '1.2.840.113549.1.9.20', // RFC 2985 §5.5.1
  localKeyId: '1.2.840.113549.1.9.21', // RFC 2985 §5.5.2
  pbes2: '1.2.840.113549.1.5.13', // RFC 8018 A.4
  pbkdf2: '1.2.840.113549.1.5.12', // RFC 8018 A.2
  hmacWithSHA256: '1.2.840.113549.2.9',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
  commonName: '2.5.4.3',
};

/** Certificate signature AlgorithmIdentifier and digest per key (RFC 4055 §5, RFC 5758 §3.2, RFC 8410 §3). */
function certSigAlg(key: KeyObject): { algId: Buffer; digest: string | null } {
  if (key.asymmetricKeyType === 'rsa') return { algId: seq(oid('1.2.840.113549.1.1.11'), nil()), digest: 'sha256' };
  if (key.asymmetricKeyType === 'ed25519') return { algId: seq(oid('1.3.101.112')), digest: null };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const [n, digest] = curve === 'secp384r1' ? [3, 'sha384'] : curve === 'secp521r1' ? [4, 'sha512'] : [2, 'sha256'];
  return { algId: seq(oid(`1.2.840.10045.4.3.${n}`)), digest };
}

/**
 * A minimal self-signed certificate (RFC 5280 §4.1). Sluice ignores it; it exists because
 * Java KeyStore needs a certificate chain to expose a PrivateKeyEntry. Only basic fields,
 * hence version 1 (RFC 5280 §4.1.2.1).
 */
export function selfSignedCert(key: KeyObject, commonName: string, days = 3650): Buffer {
  const { algId, digest } = certSigAlg(key);
  const name = seq(set(seq(oid(OID.commonName), utf8(commonName))));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, 16 bytes (RFC 5280 §4.1.2.2)
  const now = Date.now();
  const validity = seq(time(new Date(now - 60_000)), time(new Date(now + days * 86_400_000)));
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const tbs = seq(uint(serial), algId, name, validity, name, spki);
  return seq(tbs, algId, bitString(sign(digest, tbs, key)));
}

/** EncryptedPrivateKeyInfo (RFC 5958 §3) with PBES2 (RFC 8018 §6.2); the password as UTF-8 octets. */
export async function encryptPkcs8(key: KeyObject, password: string, iterations: number): Promise<Buffer> {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const dk = await promisify(pbkdf2)(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', dk, iv);
  const plain = key.export({ type: 'pkcs8', format: 'der' });
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const kdf = seq(oid(OID.pbkdf2), seq(octets(salt), uint(iterations), seq(oid(OID.hmacWithSHA256), nil())));
  const scheme = seq(oid(OID.aes256cbc), octets(iv));
  return seq(seq(oid(OID.pbes2), seq(kdf, scheme)), octets(encrypted));
}

const dataContentInfo = (content: Buffer): Buffer => seq(oid(OID.data), explicit(0, octets(content)));

/** PFX (RFC 7292 §4): one unencrypted cert bag and one shrouded key bag, paired by localKeyId. */
export async function buildPfx(
  key: KeyObject, cert: Buffer, password: string, friendlyName: string, iterations = 10_000,
): Promise<Buffer> {
  const localKeyId = createHash('sha1').update(cert).digest(); // what OpenSSL uses
  const attrs = set(
    seq(oid(OID.friendlyName), set(bmp(friendlyName))),
    seq(oid(OID.localKeyId), set(octets(localKeyId))),
  );
  const certBag = seq(oid(OID.certBag), explicit(0, seq(oid(OID.x509Certificate), explicit(0, octets(cert)))), attrs);
  const keyBag = seq(oid(OID.shroudedKeyBag), explicit(0, await encryptPkcs8(key, password, iterations)), attrs);
  const authSafe = seq(dataContentInfo(seq(certBag)), dataContentInfo(seq(keyBag)));

  // MAC key from the PKCS#12 KDF over the BMPString password (RFC 7292 B.2, B.4), ID 3 = MAC.
  const salt = randomBytes(16);
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt.toString('binary')), 3, iterations, 32,
    forge.md.sha256.create());
  const mac = createHmac('sha256', Buffer.from(macKey.getBytes(), 'binary')).update(authSafe).digest();
  const macData = seq(seq(seq(oid(OID.sha256), nil()), octets(mac)), octets(salt), uint(iterations));
  return seq(uint(3), dataContentInfo(authSafe), macData);
}
