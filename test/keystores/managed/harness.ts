/** Managed keystore tests: a config with one managed keystore, engines on an injected clock. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Engine } from '../../../engine/engine.js';
import { formatDiagnostic } from '../../../engine/diagnostics.js';
import { loadConfigText } from '../../../engine/load.js';
import { createLogger } from '../../../engine/logger.js';
import type { Store } from '../../../engine/store/types.js';
import { createServer } from '../../../engine/http/server.js';
import { LogCapture, tempDir } from '../../helpers/sluice.js';

export const SECRET = 'managed-secret-0123456789';
export const newEncryptionKey = () => randomBytes(32).toString('base64');

export function managedConfig(options: { maxAge: number; ttl: string; rotateEvery: string; store?: string; extra?: string }): string {
  return `
issuer: https://as.example.com
server: { jwks_max_age: ${options.maxAge} }
${options.store ?? ''}
keystores:
  - id: signing
    type: managed
    rotate_every: ${options.rotateEvery}
    encryption_key: \${env.SLUICE_KEY_ENCRYPTION_KEY}${options.extra ?? ''}
rps:
  - client_id: api-client
    client_secret: \${env.SECRET}
    scopes: [read]
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing, jwt_ttl: ${options.ttl} }
      - name: TokenResponse
`;
}

export async function loadManaged(yaml: string, options: { key: string; now: () => number; logs?: LogCapture; store?: Store; env?: Record<string, string> }) {
  const logs = options.logs ?? new LogCapture();
  const { engine, diagnostics } = await loadConfigText(join(tempDir(), 'config.yaml'), yaml, {
    env: { SECRET, SLUICE_KEY_ENCRYPTION_KEY: options.key, ...options.env },
    logger: createLogger('info', logs),
    now: options.now,
    ...(options.store ? { store: options.store } : {}),
  });
  if (!engine) throw new Error('config did not load:\n' + diagnostics.map(formatDiagnostic).join('\n'));
  return { engine, logs, diagnostics };
}

/** The engine behind the HTTP layer (fastify inject): tokens and /jwks as a client gets them. */
export function served(engine: Engine) {
  const app = createServer({ current: engine });
  return {
    app,
    async token(): Promise<string> {
      const answer = await app.inject({
        method: 'POST',
        url: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`api-client:${SECRET}`).toString('base64')}` },
        payload: 'grant_type=client_credentials',
      });
      if (answer.statusCode !== 200) throw new Error(`token request: ${answer.statusCode} ${answer.body}`);
      return String((answer.json() as Record<string, unknown>).access_token);
    },
    async jwks(): Promise<JSONWebKeySet> {
      return (await app.inject({ method: 'GET', url: '/jwks' })).json() as JSONWebKeySet;
    },
  };
}

export const kidOf = (token: string) => String(decodeProtectedHeader(token).kid);

/**
 * A resource server on the injected clock: it fetches the JWK Set, keeps it for max-age,
 * and does not refetch sooner, even for a kid it does not know (the strictest cache).
 */
export function resourceServer(fetchJwks: () => Promise<JSONWebKeySet>, maxAge: number, now: () => number) {
  let cached: { at: number; jwks: JSONWebKeySet } | undefined;
  return async (token: string) => {
    if (!cached || now() - cached.at >= maxAge) cached = { at: now(), jwks: await fetchJwks() };
    await jwtVerify(token, createLocalJWKSet(cached.jwks), { issuer: 'https://as.example.com', currentDate: new Date(now() * 1000) });
  };
}
