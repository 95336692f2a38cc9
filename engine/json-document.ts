import { createHash } from 'node:crypto';

/** A JSON body and its strong ETag (RFC 9110 section 8.8.3), computed once, served many times. */
export function jsonDocument(value: unknown): { body: string; etag: string } {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
