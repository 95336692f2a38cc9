/** `sluice keys generate --alg ALG --out FILE [--password-env NAME]`. */
import { generateKeyFile, P12_ALIAS } from '../keystores/generate.js';
import { SIGNING_ALGS, type SigningAlg } from '../keystores/types.js';
import { parse, UsageError } from './usage.js';
import { resolve } from 'node:path';

export async function keys(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'generate') throw new UsageError('usage: sluice keys generate --alg ALG --out FILE [--password-env NAME]');
  const { values } = parse(rest, {
    alg: { type: 'string', default: 'ES256' },
    out: { type: 'string' },
    'password-env': { type: 'string' },
  });
  const alg = values.alg as SigningAlg;
  if (!SIGNING_ALGS.includes(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  if (!values.out) throw new UsageError('--out FILE is required (.pem, or .p12/.pfx for PKCS#12)');
  const p12 = /\.(p12|pfx)$/i.test(values.out);
  // The password comes from the environment, never the command line (ps shows arguments).
  const passwordEnv = values['password-env'] ?? (p12 ? 'SLUICE_KEYSTORE_PASSWORD' : undefined);
  const password = passwordEnv ? process.env[passwordEnv] : undefined;
  if (p12 && !password) throw new UsageError(`a PKCS#12 file needs a password: set ${passwordEnv}`);
  if (passwordEnv && values['password-env'] && password === undefined) throw new UsageError(`environment variable ${passwordEnv} is not set`);
  const result = await generateKeyFile(alg, values.out, { password });
  // A path relative to here would be wrong in a config that lives elsewhere: print it whole.
  process.stdout.write(`wrote ${result.path} (${result.alg}, kid ${result.kid})\n\nkeystores:\n  - id: signing\n    type: ${p12 ? 'pkcs12' : 'pem'}\n    path: ${resolve(values.out)}   # or relative to the config file\n`);
  if (password) process.stdout.write(`    password: \${env.${passwordEnv}}\n`);
  if (p12) process.stdout.write(`    alias: ${P12_ALIAS}\n`);
  return 0;
}
