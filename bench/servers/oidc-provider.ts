/** Starts the peer (oidc-provider-main.ts) in its own process. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { spawnServer, type ServerProcess } from './process.js';

export interface PeerSettings {
  issuer: string;
  port: number;
  alg: string;
  privateJwk: JWK;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  audience: string;
  lifetimeSeconds: number;
  cookieKey: string;
}

const MAIN = fileURLToPath(new URL('./oidc-provider-main.js', import.meta.url));

export async function startPeer(name: string, settings: Omit<PeerSettings, 'issuer' | 'cookieKey'>, workDir: string, logsDir: string): Promise<ServerProcess> {
  const file = join(workDir, `${name}.json`);
  const full: PeerSettings = { ...settings, issuer: `http://127.0.0.1:${settings.port}`, cookieKey: randomBytes(32).toString('base64url') };
  writeFileSync(file, JSON.stringify(full));
  return spawnServer({
    name,
    args: [MAIN, file],
    port: settings.port,
    readyPath: '/jwks',
    stderrFile: join(logsDir, `${name}.stderr.log`),
    env: { NODE_ENV: 'production' },
  });
}
