/**
 * Conditional GET for the published documents (/jwks, discovery): each answer carries a
 * strong ETag over its exact body, and a request whose If-None-Match names it gets 304
 * without a body (RFC 9110 sections 8.8.3 and 13.1.2), so a resource server that polls
 * /jwks moves a few bytes until a key changes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A longer header is no cache's; it is not parsed (a caller chooses it). */
const MAX_IF_NONE_MATCH = 4096;

/**
 * Whether If-None-Match names `etag` (or is `*`). RFC 9110 section 13.1.2: the weak
 * comparison, so W/"x" matches "x". Entity tags hold no commas (section 8.8.3), so a split
 * on commas is exact.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined || header.length > MAX_IF_NONE_MATCH) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}

/** Send a JSON document, or 304 when the caller holds this version. */
export function sendDocument(request: FastifyRequest, reply: FastifyReply, document: { body: string; etag: string }, contentType: string): FastifyReply {
  reply.header('etag', document.etag);
  if (matchesIfNoneMatch(request.headers['if-none-match'], document.etag)) return reply.code(304).send();
  return reply.header('content-type', contentType).send(document.body);
}
