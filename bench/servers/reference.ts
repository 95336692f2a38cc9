/** Starts the reference (reference-main.ts) in its own process. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { spawnServer, type ServerProcess } from './process.js';

export interface ReferenceSettings {
  issuer: string;
  port: number;
  alg: string;
  privateJwk: JWK;
  publicJwk: JWK;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  audience: string;
  lifetimeSeconds: number;
}

const MAIN = fileURLToPath(new URL('./reference-main.js', import.meta.url));

export async function startReference(name: string, settings: Omit<ReferenceSettings, 'issuer'>, workDir: string, logsDir: string): Promise<ServerProcess> {
  const file = join(workDir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...settings, issuer: `http://127.0.0.1:${settings.port}` }));
  return spawnServer({ name, args: [MAIN, file], port: settings.port, readyPath: '/jwks', stderrFile: join(logsDir, `${name}.stderr.log`) });
}
