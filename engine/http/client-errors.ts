/**
 * Requests that fail before fastify has a request object: Node's HTTP parser refuses
 * them (a malformed request line or header, a bad Content-Length or chunk) and emits
 * 'clientError' with the raw socket; fastify's own answer is `{"error":"Bad Request"}`.
 * Here they get the RFC 6749 section 5.2 shape like every other error, then the
 * connection is closed, since the parser cannot find where the next request starts.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequest, OAuthError } from '../errors.js';
import { SECURITY_HEADERS, refuse } from './reply.js';

interface ParserError extends Error {
  code?: string;
}

function describe(error: ParserError): { status: number; description: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT': return { status: 408, description: 'the request was not received in time' };
    case 'HPE_HEADER_OVERFLOW': return { status: 431, description: 'request headers too large' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH': return { status: 400, description: 'malformed Content-Length' };
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_INVALID_TRANSFER_ENCODING': return { status: 400, description: 'malformed chunked body' };
    default: return { status: 400, description: 'malformed HTTP request' };
  }
}

/** fastify's `clientErrorHandler`: answer on the raw socket, then close it. */
export function clientErrorHandler(log: FastifyBaseLogger): (error: ParserError, socket: Duplex) => void {
  return function answerParserError(error, socket) {
    // A reset socket has nobody to answer (Node's own handler does the same).
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, description } = describe(error);
    // Only the code: the error's rawPacket holds the request bytes, credentials included.
    log.debug({ event: 'http_client_error', code: error.code, status }, 'malformed HTTP request');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(new OAuthError('invalid_request', description, { status }).toJSON());
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      ...SECURITY_HEADERS,
      Connection: 'close',
    };
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    // end() lets the answer flush; destroy() once it has, so a peer that never reads
    // cannot keep the socket half-open.
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`);
  };
}

/**
 * fastify's `frameworkErrors`: failures of its router before a route runs, chiefly a
 * path with broken percent-encoding (FST_ERR_BAD_URL).
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const description = error.code === 'FST_ERR_BAD_URL' ? 'malformed URL' : 'malformed request';
  void refuse(request, reply, InvalidRequest(description), 'debug');
}
