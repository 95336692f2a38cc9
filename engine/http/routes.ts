/**
 * The endpoints, as a table: each says where it is served, how, and what its answer may be
 * cached for. The server mounts the table (engine/http/server.ts) and derives from it the
 * 405 answers. /metrics is mounted beside the table (metrics-route.ts): its path and port are
 * the metrics section's.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../engine.js';
import { PATHS } from '../engine.js';
import type { EndpointRequest, HttpAnswer } from '../endpoints/handler.js';
import { handleIntrospection, handleSignedIntrospection, wantsSignedIntrospection } from '../endpoints/introspect.js';
import { INTROSPECTION_JWT_MEDIA_TYPE, introspectionSigner } from '../endpoints/introspection-jwt.js';
import { handleRevocation } from '../endpoints/revoke.js';
import { handleUserinfo } from '../endpoints/userinfo.js';
import { ALIVE, readiness, type ProbeAnswer } from '../endpoints/health.js';
import { handleTokenRequest } from '../token-endpoint.js';
import { sendDocument } from './conditional.js';
import { issuerPath } from './paths.js';
import type { ServingState } from './serving-state.js';

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
  /** Cache-Control of a successful answer (fixed, or from the config); errors are always no-store. */
  readonly cacheControl: string | ((engine: Engine) => string);
  /**
   * Answered while the server refuses other requests (draining, overloaded): the probes,
   * which say what is going on, and the documents computed at load, which cost nothing
   * and which resource servers need to verify tokens already issued. Others get 503
   * temporarily_unavailable then.
   */
  readonly keepsServing?: boolean;
  handle(engine: Engine, request: FastifyRequest, reply: FastifyReply, serving: ServingState): Promise<unknown>;
}

// Discovery and keys change only with the config (and key rotation); server.jwks_max_age
// bounds how long a client keeps a key or an endpoint after a change. A new key is
// published that long before it signs (keystores/rotation.ts).
const publishedCache = (engine: Engine): string => `public, max-age=${engine.config.server.jwks_max_age}`;

const JSON_TYPE = 'application/json; charset=utf-8';

const metadata: Endpoint['handle'] = async (engine, request, reply) => sendDocument(request, reply, engine.metadataDocument, JSON_TYPE);

/** What an endpoint handler needs of the HTTP request. */
function endpointRequest(request: FastifyRequest): EndpointRequest {
  return {
    id: String(request.id),
    body: typeof request.body === 'string' ? request.body : '',
    contentType: request.headers['content-type'],
    authorization: request.headers.authorization,
    ip: request.ip,
  };
}

/** An endpoint whose answer is JSON, through the endpoint wrapper (engine/endpoints/handler.ts). */
function jsonEndpoint(handler: (engine: Engine, http: EndpointRequest) => Promise<HttpAnswer>): Endpoint['handle'] {
  return async (engine, request, reply) => {
    const answer = await handler(engine, endpointRequest(request));
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };
}

/** A probe's answer, never stored by a cache between the probe and us. */
function probeEndpoint(probe: (engine: Engine, serving: ServingState) => ProbeAnswer | Promise<ProbeAnswer>): Endpoint['handle'] {
  return async (engine, _request, reply, serving) => {
    const answer = await probe(engine, serving);
    return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
  };
}

/** RFC 7662 JSON, or the RFC 9701 signed JWT when the caller accepts it and a published key can sign it. */
const introspection: Endpoint['handle'] = async (engine, request, reply, serving) => {
  if (!wantsSignedIntrospection(request.headers.accept) || !introspectionSigner(engine)) return jsonEndpoint(handleIntrospection)(engine, request, reply, serving);
  const answer = await handleSignedIntrospection(engine, endpointRequest(request));
  if (answer.status !== 200) return reply.code(answer.status).headers(answer.headers).send(answer.body);
  return reply.code(200).headers(answer.headers).type(INTROSPECTION_JWT_MEDIA_TYPE).send(answer.body.jwt);
};

export const ENDPOINTS: readonly Endpoint[] = [
  // OpenID Connect Discovery 1.0 section 4: the issuer + /.well-known/openid-configuration.
  { name: 'openid_configuration', method: 'GET', path: PATHS.openidConfiguration, cacheControl: publishedCache, keepsServing: true, handle: metadata },
  {
    name: 'oauth_metadata',
    method: 'GET',
    // Appended to the issuer, as some clients look for it, and path-inserted as RFC 8414
    // section 3 prescribes: /.well-known/oauth-authorization-server/platform.
    path: PATHS.oauthMetadata,
    alsoAt: (engine) => [PATHS.oauthMetadata + issuerPath(engine.issuer)],
    cacheControl: publishedCache,
    keepsServing: true,
    handle: metadata,
  },
  {
    name: 'jwks',
    method: 'GET',
    path: PATHS.jwks,
    cacheControl: publishedCache,
    keepsServing: true,
    handle: async (engine, request, reply) => {
      // Which rotated keys are still published, and the managed keys, are read from the store
      // (once, and when a refresh is due). A store that fails is logged by the keystore; the
      // keys in memory are served meanwhile.
      await engine.keysReady().catch(() => undefined);
      return sendDocument(request, reply, engine.jwksDocument(), 'application/jwk-set+json; charset=utf-8');
    },
  },
  {
    name: 'token',
    method: 'POST',
    path: PATHS.token,
    formBody: true,
    cacheControl: 'no-store', // RFC 6749 section 5.1
    handle: jsonEndpoint(handleTokenRequest),
  },
  // RFC 7662; the caller authenticates as at the token endpoint.
  { name: 'introspection', method: 'POST', path: PATHS.introspection, formBody: true, cacheControl: 'no-store', handle: introspection },
  // RFC 7009.
  { name: 'revocation', method: 'POST', path: PATHS.revocation, formBody: true, cacheControl: 'no-store', handle: jsonEndpoint(handleRevocation) },
  // RFC 6750: the token in the Authorization header only; a URL query is refused, as a
  // token there would end up in proxy logs (section 2.3).
  { name: 'userinfo', method: 'GET', path: PATHS.userinfo, formBody: true, cacheControl: 'no-store', handle: jsonEndpoint(handleUserinfo) },
  { name: 'userinfo', method: 'POST', path: PATHS.userinfo, formBody: true, cacheControl: 'no-store', handle: jsonEndpoint(handleUserinfo) },
  // Probes (engine/endpoints/health.ts): liveness and readiness, for orchestrators and load balancers.
  { name: 'healthz', method: 'GET', path: PATHS.healthz, cacheControl: 'no-store', keepsServing: true, handle: probeEndpoint(() => ALIVE) },
  { name: 'readyz', method: 'GET', path: PATHS.readyz, cacheControl: 'no-store', keepsServing: true, handle: probeEndpoint(readiness) },
];
