/**
 * Rotation tests' harness: PEM keys in a temp dir, a config whose `signing` keystore lists
 * them in given states, and a server whose engine a test swaps as a reload does (a new
 * Engine from the edited YAML, the same store, `holder.current` replaced).
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../../engine/engine.js';
import { formatDiagnostic } from '../../../engine/diagnostics.js';
import { createServer, type EngineHolder } from '../../../engine/http/server.js';
import { loadConfigText } from '../../../engine/load.js';
import { createLogger } from '../../../engine/logger.js';
import type { Store } from '../../../engine/store/types.js';
import { basic, freePort, LogCapture, postToken, tempDir } from '../../helpers/sluice.js';

export const SECRET = 'rotation-secret-0123456789';

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** Key files a.pem, b.pem, c.pem, whose kids are their names. */
export function keyDir(): string {
  return tempDir({ 'a.pem': pem(), 'b.pem': pem(), 'c.pem': pem() });
}

export type KeyName = 'a' | 'b' | 'c';

/** The config: `keys` are the entries of keystore `signing` (name → state, or [state, extra YAML]). */
export function rotationConfig(port: number, keys: Partial<Record<KeyName, string>>, options: { maxAge: number; ttl: string; store?: string }): string {
  const entries = Object.entries(keys).map(([name, state]) => `  - { id: signing, type: pem, path: ${name}.pem, kid: ${name}, state: ${state} }`);
  return `
issuer: http://127.0.0.1:${port}
server: { jwks_max_age: ${options.maxAge} }
${options.store ?? ''}
keystores:
${entries.join('\n')}
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

export interface RotatingServer {
  readonly url: string;
  readonly port: number;
  readonly logs: LogCapture;
  readonly app: FastifyInstance;
  readonly holder: EngineHolder;
  /** Load `yaml` beside the keys, with the running store, and swap it in. */
  reload(yaml: string): Promise<Engine>;
  token(): Promise<string>;
  close(): Promise<void>;
}

export async function loadEngine(dir: string, yaml: string, options: { logs: LogCapture; port: number; store?: Store; now?: () => number }): Promise<Engine> {
  const { engine, diagnostics } = await loadConfigText(join(dir, 'config.yaml'), yaml, {
    env: { SECRET },
    logger: createLogger('info', options.logs),
    server: { port: options.port },
    ...(options.store ? { store: options.store } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  if (!engine) throw new Error('config did not load:\n' + diagnostics.map(formatDiagnostic).join('\n'));
  // As serve does before it listens, and a reload before it swaps.
  await engine.keysReady();
  return engine;
}

export async function serveRotating(dir: string, config: (port: number) => string, now?: () => number): Promise<RotatingServer> {
  const port = await freePort();
  const logs = new LogCapture();
  const first = await loadEngine(dir, config(port), { logs, port, ...(now ? { now } : {}) });
  const store = first.verifyContext.store;
  const holder: EngineHolder = { current: first };
  const app = createServer(holder);
  await app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    logs,
    app,
    holder,
    async reload(yaml) {
      holder.current = await loadEngine(dir, yaml, { logs, port, store, ...(now ? { now } : {}) });
      return holder.current;
    },
    async token() {
      const answer = await postToken(url, { grant_type: 'client_credentials' }, { authorization: basic('api-client', SECRET) });
      if (answer.status !== 200) throw new Error(`token request: ${answer.status} ${JSON.stringify(answer.body)}`);
      return String(answer.body.access_token);
    },
    async close() {
      await app.close();
      await store.close?.();
    },
  };
}

/** The kids /jwks lists now. */
export async function publishedKids(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  return body.keys.map((k) => k.kid);
}
