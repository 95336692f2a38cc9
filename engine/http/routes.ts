/**
 * The endpoints, as a table: each says where it is served, how, and what its answer may be
 * cached for. The server mounts the table (engine/http/server.ts) and derives from it the
 * 405 answers; introspection, revocation, userinfo, health and metrics are rows to add.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../engine.js';
import { PATHS } from '../engine.js';
import { handleTokenRequest } from '../token-endpoint.js';
import { issuerPath } from './paths.js';

export interface Endpoint {
  /** For logs and (later) metrics labels. */
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** Served at the base path + this. */
  readonly path: string;
  /** Further locations, not under the base path (RFC 8414 section 3 path insertion). */
  readonly alsoAt?: (engine: Engine) => string[];
  /**
   * Parameters arrive in a form body, so a URL query is refused rather than ignored:
   * credentials in a URL end up in proxy and server logs (RFC 6749 section 2.3.1).
   */
  readonly formBody?: boolean;
  /** Cache-Control of a successful answer; errors are always no-store. */
  readonly cacheControl: string;
  handle(engine: Engine, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

// Discovery and keys change only with the config; five minutes bounds how long a client
// keeps a key or an endpoint after a change.
const SHORT_PUBLIC_CACHE = 'public, max-age=300';

const metadata: Endpoint['handle'] = async (engine) => engine.metadata;

export const ENDPOINTS: readonly Endpoint[] = [
  // OpenID Connect Discovery 1.0 section 4: the issuer + /.well-known/openid-configuration.
  { name: 'openid_configuration', method: 'GET', path: PATHS.openidConfiguration, cacheControl: SHORT_PUBLIC_CACHE, handle: metadata },
  {
    name: 'oauth_metadata',
    method: 'GET',
    // Appended to the issuer, as some clients look for it, and path-inserted as RFC 8414
    // section 3 prescribes: /.well-known/oauth-authorization-server/platform.
    path: PATHS.oauthMetadata,
    alsoAt: (engine) => [PATHS.oauthMetadata + issuerPath(engine.issuer)],
    cacheControl: SHORT_PUBLIC_CACHE,
    handle: metadata,
  },
  {
    name: 'jwks',
    method: 'GET',
    path: PATHS.jwks,
    cacheControl: SHORT_PUBLIC_CACHE,
    handle: async (engine, _request, reply) => {
      reply.header('content-type', 'application/jwk-set+json; charset=utf-8');
      return engine.jwks;
    },
  },
  {
    name: 'token',
    method: 'POST',
    path: PATHS.token,
    formBody: true,
    cacheControl: 'no-store', // RFC 6749 section 5.1
    handle: async (engine, request, reply) => {
      const answer = await handleTokenRequest(engine, {
        id: String(request.id),
        body: typeof request.body === 'string' ? request.body : '',
        contentType: request.headers['content-type'],
        authorization: request.headers.authorization,
        ip: request.ip,
      });
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    },
  },
];
