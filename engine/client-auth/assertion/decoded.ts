/**
 * A client assertion taken apart once (RFC 7515 section 7.1, compact serialization):
 * routing it to a method reads its header's alg, finding the client reads its `sub`,
 * verifying needs both and the signed bytes. Each request used to decode it three times
 * over (and jose a fourth); the latest decodings are remembered, so a request decodes its
 * assertion once, even when other requests were decoded between its routing and its
 * verification. Nothing here is trusted until the signature verifies (verify.ts).
 */

/** A JSON object decoded from one part of the assertion, or why it is not one. */
export type Decoded = { readonly value: Readonly<Record<string, unknown>> } | { readonly problem: string };

export interface DecodedAssertion {
  /** The JOSE protected header (RFC 7515 section 4). */
  readonly header: Decoded;
  /** The JWT claims set (RFC 7519 section 4). */
  readonly claims: Decoded;
  /** The three parts as sent, as jose's key resolvers take them; only for a 3-part compact JWS. */
  readonly parts: { readonly protected: string; readonly payload: string; readonly signature: string } | undefined;
}

/** base64url without padding (RFC 7515 section 2): stricter than Buffer, which skips what it cannot read. */
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Requests between a request's routing and its verification (the client lookup awaits):
 * beyond that, one decodes twice. Bounded, whatever callers send (a few MB at most);
 * never logged. Real assertions are a few hundred bytes, a few KB with a certificate chain.
 */
const REMEMBERED = 64;
const REMEMBERED_MAX_LENGTH = 16_384;
const recent = new Map<string, DecodedAssertion>();

/**
 * A client sends the same protected header (alg, kid, typ) with every assertion: the
 * headers seen last are kept decoded (frozen, as requests share them), so a request
 * decodes only its claims. Bounded like `recent`, whatever callers send.
 */
const HEADERS_REMEMBERED = 256;
const HEADER_MAX_LENGTH = 1024;
const headers = new Map<string, Decoded>();

function decodeHeader(part: string): Decoded {
  let header = headers.get(part);
  if (header === undefined) {
    header = jsonObject(part, 'the protected header');
    if ('value' in header) Object.freeze(header.value);
    if (part.length > HEADER_MAX_LENGTH) return header;
    if (headers.size >= HEADERS_REMEMBERED) headers.delete(headers.keys().next().value!);
    headers.set(part, header);
  }
  return header;
}

export function decodeAssertion(text: string): DecodedAssertion {
  let decoded = recent.get(text);
  if (decoded === undefined) {
    decoded = decode(text);
    if (text.length > REMEMBERED_MAX_LENGTH) return decoded;
    if (recent.size >= REMEMBERED) recent.delete(recent.keys().next().value!);
    recent.set(text, decoded);
  }
  return decoded;
}

function decode(text: string): DecodedAssertion {
  const segments = text.split('.');
  // A JWE (5 parts) still has a readable header, which routes it (as jose's decodeProtectedHeader did); it never verifies.
  const header = segments.length === 3 || segments.length === 5 ? decodeHeader(segments[0]!) : { problem: `not a compact JWS (${segments.length} parts)` };
  if (segments.length !== 3) return { header, claims: { problem: 'not a compact JWS with 3 parts' }, parts: undefined };
  const [protectedPart, payload, signature] = segments as [string, string, string];
  if (!BASE64URL.test(signature)) return { header, claims: { problem: 'the signature is not base64url' }, parts: undefined };
  return { header, claims: jsonObject(payload, 'the claims set'), parts: { protected: protectedPart, payload, signature } };
}

function jsonObject(part: string, name: string): Decoded {
  if (part.length === 0 || !BASE64URL.test(part)) return { problem: `${name} is not base64url` };
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(part, 'base64url')));
  } catch {
    return { problem: `${name} is not UTF-8 JSON` };
  }
  // A plain object, as jose requires: not an array, not null (RFC 7515 section 4, RFC 7519 section 7.2 step 10).
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `${name} is not a JSON object` };
  return { value: value as Record<string, unknown> };
}
