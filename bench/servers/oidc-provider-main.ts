/**
 * The peer, node-oidc-provider, configured for Sluice's baseline job: client_credentials,
 * client_secret_basic, RFC 9068 JWT access tokens (resource indicators with
 * accessTokenFormat 'jwt') for one audience, lifetime 1 h, signed with the same key and alg.
 * Run as its own process: `node oidc-provider-main.js SETTINGS.json`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';
import type { PeerSettings } from './oidc-provider.js';

const settings = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PeerSettings;
const scope = settings.scopes.join(' ');

const provider = new Provider(settings.issuer, {
  clients: [{
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope,
    // Only the benchmark's key is in the keystore; the default (RS256) may not be there.
    id_token_signed_response_alg: settings.alg,
  }],
  jwks: { keys: [settings.privateJwk] },
  scopes: settings.scopes,
  cookies: { keys: [settings.cookieKey] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // No `resource` in the request: the one API, as Sluice's default audience.
      defaultResource: () => settings.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, indicator: string) => {
        if (indicator !== settings.audience) throw new errors.InvalidTarget();
        return { scope, audience: settings.audience, accessTokenTTL: settings.lifetimeSeconds, accessTokenFormat: 'jwt', jwt: { sign: { alg: settings.alg } } };
      },
    },
  },
});

createServer(provider.callback()).listen(settings.port, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
