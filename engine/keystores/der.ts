/**
 * A minimal DER writer (X.690) for the few structures generate.ts builds: a self-signed
 * certificate, PBES2 parameters and a PKCS#12 PFX. Values are pre-encoded Buffers, so
 * node:crypto output (SPKI, PKCS#8, signatures) is embedded byte for byte, never re-parsed.
 */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

export const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
/** X.690 §11.6: DER orders the elements of a SET OF by their encodings. */
export const set = (...parts: Buffer[]): Buffer => tlv(0x31, ...[...parts].sort(Buffer.compare));
export const octets = (value: Buffer): Buffer => tlv(0x04, value);
export const nil = (): Buffer => Buffer.from([0x05, 0x00]);
export const explicit = (n: number, ...parts: Buffer[]): Buffer => tlv(0xa0 | n, ...parts);
/** Always whole bytes here: no unused bits. */
export const bitString = (value: Buffer): Buffer => tlv(0x03, Buffer.from([0]), value);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
/** BMPString: UTF-16BE (X.680 §41), as PKCS#12 friendlyName wants (RFC 7292 §4.2). */
export const bmp = (s: string): Buffer => tlv(0x1e, Buffer.from(s, 'utf16le').swap16());

/** A non-negative INTEGER; a leading zero keeps the sign bit clear (X.690 §8.3). */
export function uint(value: number | Buffer): Buffer {
  let bytes = value;
  if (typeof bytes === 'number') {
    const hex = bytes.toString(16);
    bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** OBJECT IDENTIFIER (X.690 §8.19): first two arcs merged, then base-128 arcs. */
export function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const groups = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v % 128));
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always UTC, seconds. */
export function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}
