/**
 * Which config a command uses: `-c FILE`, `--config FILE` or FILE as the argument; with
 * none, ./sluice.yaml in the current directory (where `npx sluice check` is typed), else
 * the embedded demo config, and then the command says so.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packagePath } from '../package-root.js';
import { UsageError } from './usage.js';

export const EMBEDDED_CONFIG = packagePath('config/sluice.yaml');
export const LOCAL_CONFIG = 'sluice.yaml';

export interface ConfigChoice {
  readonly file: string;
  /** Neither given nor found in the current directory: the embedded demo. */
  readonly fellBack: boolean;
}

/** The config file named on the command line, either way, or undefined. */
export function givenConfig(option: string | undefined, positionals: readonly string[]): string | undefined {
  if (positionals.length > 1 || (option !== undefined && positionals.length > 0)) throw new UsageError('give one config file (FILE or -c FILE)');
  return option ?? positionals[0];
}

export function chooseConfig(option: string | undefined, positionals: readonly string[]): ConfigChoice {
  const given = givenConfig(option, positionals);
  if (given !== undefined) return { file: given, fellBack: false };
  if (existsSync(LOCAL_CONFIG)) return { file: LOCAL_CONFIG, fellBack: false };
  return { file: EMBEDDED_CONFIG, fellBack: true };
}

/** The line a command prints (stderr) when it fell back to the embedded demo config. */
export function fallbackNote(verb: string): string {
  return `sluice: no ./${LOCAL_CONFIG} here; ${verb} the embedded demo config ${EMBEDDED_CONFIG}\n`;
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(resolve(a)) === realpathSync(b);
  } catch {
    return false;
  }
}

interface RpSecrets {
  client_id?: unknown;
  client_secret?: unknown;
  client_secret_hash?: unknown;
}

/**
 * Clients whose secret is the demo's published one: every client of the embedded file,
 * and, in any other file, a client carrying the demo's hash (a copy of the demo) or the
 * demo secret in clear. Comparing strings is free; verifying each hash would cost a
 * scrypt per client at start.
 */
export function demoClients(file: string, rps: readonly RpSecrets[]): string[] {
  if (samePath(file, EMBEDDED_CONFIG)) return rps.map((rp) => String(rp.client_id));
  const embedded = parseYaml(readFileSync(EMBEDDED_CONFIG, 'utf8')) as { rps?: RpSecrets[] } | null;
  const demoHashes = new Set<unknown>((embedded?.rps ?? []).map((rp) => rp.client_secret_hash).filter((h) => typeof h === 'string'));
  return rps.filter((rp) => rp.client_secret === 'demo-secret' || demoHashes.has(rp.client_secret_hash)).map((rp) => String(rp.client_id));
}
