/**
 * `check` warnings about keys that load but will hurt in operation: a key that signs but
 * is not published, and a certificate beside a key that has expired or soon will. Two
 * keystores under one kid are already an error (duplicate-kids.ts, inline.ts).
 */
import type { X509Certificate } from 'node:crypto';
import type { Indexed } from '../config/cross-refs.js';
import type { DiagnosticSink } from '../diagnostics.js';
import type { ConfigPath } from '../errors.js';
import { isFailedKeystore } from './failed.js';
import type { KeyUse } from './key-use.js';
import type { Keystore, KeystoreConfig } from './types.js';

/** How far ahead an expiring certificate is announced (keystores' and RPs'): time to get and roll out a new one. */
export const CERTIFICATE_WARNING_DAYS = 30;

const DAY = 24 * 60 * 60;

/**
 * A keystore with `publish: false` that a pipe signs with: its tokens name a kid that
 * /jwks does not list, so no resource server can verify them (RFC 7517 section 4.5).
 */
export function warnUnpublishedSigners(configs: ReadonlyArray<Indexed<KeystoreConfig>>, uses: readonly KeyUse[], sink: DiagnosticSink): void {
  for (const [config, i] of configs) {
    const pipes = [...new Set(uses.filter((u) => u.keystore.id === config.id && !u.keystore.publish && !isFailedKeystore(u.keystore)).map((u) => `'${u.pipe}'`))];
    if (pipes.length === 0) continue;
    sink.warn('keystore_unpublished', `keystore '${config.id}' signs tokens (pipe ${pipes.join(', ')}) but has publish: false: resource servers cannot verify them with /jwks; publish it, or sign with a published key`, ['keystores', i, 'publish']);
  }
}

/**
 * Certificates that have expired or expire within CERTIFICATE_WARNING_DAYS of `now`
 * (seconds), at the key file of a `keystores:` entry or of the valve that names it inline.
 */
export function warnExpiringCertificates(configs: ReadonlyArray<Indexed<KeystoreConfig>>, keystores: ReadonlyMap<string, Keystore>, uses: readonly KeyUse[], now: number, sink: DiagnosticSink): void {
  const declared = new Set<Keystore>();
  for (const [config, i] of configs) {
    const keystore = keystores.get(config.id);
    if (!keystore || declared.has(keystore)) continue;
    declared.add(keystore);
    warnCertificates(keystore, ['keystores', i, 'path'], now, sink);
  }
  // Inline keystores: told once each, at the first valve that names the file.
  const told = new Set<Keystore>(declared);
  for (const use of uses) {
    if (told.has(use.keystore)) continue;
    told.add(use.keystore);
    warnCertificates(use.keystore, use.at, now, sink);
  }
}

function warnCertificates(keystore: Keystore, at: ConfigPath, now: number, sink: DiagnosticSink): void {
  for (const certificate of keystore.certificates ?? []) {
    const problem = expiry(certificate, now);
    if (problem) sink.warn('certificate_expiring', `keystore '${keystore.id}': the certificate ${describe(certificate)} ${problem}: renew it (verifiers that check the certificate will refuse the key)`, at);
  }
}

/** "expired on DATE", "expires on DATE (in N days)", or undefined when far enough away. */
function expiry(certificate: X509Certificate, now: number): string | undefined {
  const notAfter = Date.parse(certificate.validTo) / 1000;
  if (Number.isNaN(notAfter)) return undefined;
  const date = new Date(notAfter * 1000).toISOString().slice(0, 10);
  if (notAfter <= now) return `expired on ${date}`;
  const days = Math.ceil((notAfter - now) / DAY);
  return days <= CERTIFICATE_WARNING_DAYS ? `expires on ${date} (in ${days} day${days === 1 ? '' : 's'})` : undefined;
}

/** The subject as one line ("CN=signing, O=Example"); the serial when it has none. */
function describe(certificate: X509Certificate): string {
  const subject = certificate.subject.split('\n').filter(Boolean).join(', ');
  return subject ? `'${subject}'` : `with serial ${certificate.serialNumber}`;
}
