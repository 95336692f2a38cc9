/**
 * The secrets an RP registers: the one-secret shorthand (`client_secret` or
 * `client_secret_hash`) or `client_secrets`, a list of `{ secret | hash, not_after? }` for
 * rotation without downtime (each authenticates until its not_after). Checked and
 * compiled at load: hashes parsed, timestamps turned into seconds, every problem at its
 * YAML node.
 */
import type { RpConfig } from '../config/types.js';
import type { DiagnosticSink } from '../diagnostics.js';
import { ConfigError, type ConfigPath } from '../errors.js';
import type { ClientSecret } from './authenticate.js';
import { parseSecretHash } from './secret-hash.js';

type Entry = NonNullable<RpConfig['client_secrets']>[number];

/** What the schema cannot say (for cross-refs): one way to register, one value an entry. */
/** A hash pasted where the secret goes authenticates nobody; say so (new-user walkthrough). */
function looksLikeHash(value: string | undefined): boolean {
  return value !== undefined && /^\$(sha256|scrypt)\$/.test(value);
}

export function checkSecretFields(rp: RpConfig, raw: Record<string, unknown> | undefined, index: number, sink: DiagnosticSink): void {
  if (looksLikeHash(rp.client_secret)) {
    sink.add('schema', 'this is a hash from `sluice secret hash/generate`, not a secret: put it in client_secret_hash (or hash: of client_secrets)', ['rps', index, 'client_secret']);
  }
  (rp.client_secrets ?? []).forEach((entry, j) => {
    if (looksLikeHash(entry.secret)) sink.add('schema', 'this is a hash, not a secret: write it as hash:', ['rps', index, 'client_secrets', j, 'secret']);
  });
  const entries = rp.client_secrets;
  if (entries === undefined) return;
  if (rp.client_secret !== undefined || rp.client_secret_hash !== undefined) {
    sink.add('schema', 'give client_secrets or the one-secret client_secret/client_secret_hash, not both', ['rps', index, 'client_secrets'], { atKey: true });
  }
  const rawEntries = Array.isArray(raw?.client_secrets) ? (raw.client_secrets as unknown[]) : [];
  entries.forEach((entry, j) => {
    const at = ['rps', index, 'client_secrets', j];
    if (entry.secret !== undefined && entry.hash !== undefined) sink.add('schema', 'give secret or hash, not both', at);
    else if (entry.secret === undefined && entry.hash === undefined) sink.add('schema', 'give secret (or hash, made by `sluice secret generate` or `sluice secret hash`)', at);
    const rawSecret = (rawEntries[j] as Record<string, unknown> | undefined)?.secret;
    if (typeof rawSecret === 'string' && !rawSecret.includes('${')) {
      sink.warn('schema', 'secret is written in clear in the config; use ${env.NAME}, ${file.PATH} or a hash from `sluice secret generate`', [...at, 'secret']);
    }
  });
}

/** The client's secrets for the authenticator; `now` (seconds) only to warn about expired ones. */
export function registeredSecrets(rp: RpConfig, index: number, sink: DiagnosticSink, now: number): ClientSecret[] {
  if (rp.client_secrets === undefined) {
    const plain: ClientSecret[] = rp.client_secret === undefined ? [] : [{ kind: 'plain', value: rp.client_secret }];
    const hashed = rp.client_secret_hash === undefined ? [] : parsedHash(rp.client_secret_hash, ['rps', index, 'client_secret_hash'], sink);
    return [...plain, ...hashed];
  }
  const secrets = rp.client_secrets.map((entry, j) => compileEntry(entry, ['rps', index, 'client_secrets', j], sink, now));
  warnAboutSecondScrypt(secrets, index, sink);
  return secrets.flat();
}

/**
 * A wrong secret is tried against every scrypt hash (the salts differ), so a second one
 * doubles what a stranger's failed attempt costs the server and makes this client's
 * failures slower than others' (issue 9: failures should cost the same for every client).
 */
function warnAboutSecondScrypt(secrets: ClientSecret[][], index: number, sink: DiagnosticSink): void {
  const scrypt = secrets.flatMap((entry, j) => (entry.some((s) => s.kind === 'hash' && s.hash.kind === 'scrypt') ? [j] : []));
  for (const j of scrypt.slice(1)) {
    sink.warn('schema', `client has ${scrypt.length} $scrypt$ hashes: each wrong secret costs ${scrypt.length} key derivations, and its failures are slower than other clients'; hash new secrets with \`sluice secret generate\` ($sha256$)`, ['rps', index, 'client_secrets', j, 'hash']);
  }
}

function compileEntry(entry: Entry, at: ConfigPath, sink: DiagnosticSink, now: number): ClientSecret[] {
  let expiry = {};
  if (entry.not_after !== undefined) {
    const notAfter = parseTimestamp(entry.not_after);
    if (notAfter === undefined) {
      sink.add('schema', 'not_after is not a real date and time (RFC 3339)', [...at, 'not_after']);
      return [];
    }
    if (notAfter <= now) sink.warn('schema', `not_after ${entry.not_after} has passed: this secret no longer authenticates; remove it`, [...at, 'not_after']);
    expiry = { notAfter };
  }
  if (entry.secret !== undefined) return [{ kind: 'plain', value: entry.secret, ...expiry }];
  if (entry.hash !== undefined) return parsedHash(entry.hash, [...at, 'hash'], sink).map((s) => ({ ...s, ...expiry }));
  return [];
}

function parsedHash(encoded: string, at: ConfigPath, sink: DiagnosticSink): ClientSecret[] {
  try {
    return [{ kind: 'hash', hash: parseSecretHash(encoded) }];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    sink.addError(error, at);
    return [];
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Seconds since the epoch, or undefined unless `text` is a real RFC 3339 date-time:
 * Date.parse alone rolls 2027-02-30 over into March.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined; // an offset such as +25:00
}
