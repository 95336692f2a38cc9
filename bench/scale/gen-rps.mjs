#!/usr/bin/env node
/**
 * A Sluice config with N relying parties, as an operator with many machine clients would
 * write it: each RP has its own client_id, a `$sha256$` hash of its own generated secret
 * (what `sluice secret generate` makes; README, Client authentication), two or three
 * scopes, an audience and a client_credentials pipe shared with many others.
 *
 *   node bench/scale/gen-rps.mjs N [--port P] [--scrypt-every K] > rps.yaml
 *
 * Secrets are derived from the RP's number (rpSecret), so a benchmark or a test can
 * authenticate as any RP without a table of 100,000 secrets. `--scrypt-every K` gives
 * every K-th RP a `$scrypt$` hash instead (a secret a person chose): scrypt is slow on
 * purpose, so those RPs share a few hashes made once (scryptSecret tells their secret).
 * The keystore is `generated` (ES256): nothing to write beside the config.
 */
import { createHmac, scryptSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const SEED = 'sluice-scale-bench';
const SCOPES = ['orders.read', 'orders.write', 'invoices.read', 'invoices.write', 'reports.read', 'customers.read', 'customers.write'];
const PIPES = 4;
const AUDIENCES = 50;
const SCRYPT_SECRETS = 4;

const derive = (label, bytes = 32) => createHmac('sha256', SEED).update(label).digest().subarray(0, bytes);

/** RP n's client_id (n from 1); zero-padded so ids sort and read alike. */
export const rpClientId = (n) => `rp-${String(n).padStart(6, '0')}`;

/** The secret of RP n (a `$sha256$` one): 256 bits, base64url, as `sluice secret generate` makes. */
export const rpSecret = (n) => derive(`secret:${n}`).toString('base64url');

/** The secret of RP n when it is one of the `--scrypt-every` ones. */
export const scryptSecret = (n) => `chosen-by-a-person-${n % SCRYPT_SECRETS}`;

/** The scopes RP n may be granted. */
export const rpScopes = (n) => [SCOPES[n % SCOPES.length], SCOPES[(n + 3) % SCOPES.length], ...(n % 3 === 0 ? [SCOPES[(n + 5) % SCOPES.length]] : [])];

/** The audience RP n may get tokens for. */
export const rpAudience = (n) => `https://api-${n % AUDIENCES}.example.com`;

function fastHash(secret, n) {
  const salt = derive(`salt:${n}`, 16);
  return `$sha256$${salt.toString('base64url')}$${createHmac('sha256', salt).update(secret).digest('base64url')}`;
}

function scryptHashes() {
  // ln=15, r=8, p=1: `sluice secret hash`'s parameters; made once per run, a few at most.
  return Array.from({ length: SCRYPT_SECRETS }, (_, i) => {
    const salt = derive(`scrypt-salt:${i}`, 16);
    const hash = scryptSync(scryptSecret(i), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    return `$scrypt$ln=15,r=8,p=1$${salt.toString('base64url')}$${hash.toString('base64url')}`;
  });
}

/** Whether RP n has a `$scrypt$` hash under `--scrypt-every K` (0: none). */
export const hasScryptHash = (n, scryptEvery = 0) => scryptEvery > 0 && n % scryptEvery === 0;

/** The config text, as an array of lines (100,000 RPs make about a million). */
export function generateRpsConfig({ count, port = 8080, scryptEvery = 0 }) {
  const scrypt = scryptEvery > 0 ? scryptHashes() : [];
  const lines = [
    `# ${count} relying parties, made by bench/scale/gen-rps.mjs`,
    `issuer: http://127.0.0.1:${port}`,
    `server: { host: 127.0.0.1, port: ${port} }`,
    'log: { level: warn }',
    'keystores:',
    '  - id: signing',
    '    type: generated',
    '    alg: ES256',
    'rps:',
  ];
  for (let n = 1; n <= count; n++) {
    const hash = hasScryptHash(n, scryptEvery) ? scrypt[n % SCRYPT_SECRETS] : fastHash(rpSecret(n), n);
    lines.push(
      `  - client_id: ${rpClientId(n)}`,
      `    client_secret_hash: "${hash}"`,
      '    token_endpoint_auth_method: client_secret_basic',
      `    scopes: [${rpScopes(n).join(', ')}]`,
      `    audiences: ["${rpAudience(n)}"]`,
      `    client_credentials_pipe_id: m2m-jwt-${n % PIPES}`,
      `    attributes: { appid: app-${n}, tenant: t${n % 97}, roles: [reader${n % 2 === 0 ? ', writer' : ''}] }`,
    );
  }
  lines.push('pipes:');
  for (let p = 0; p < PIPES; p++) {
    lines.push(
      `  - id: m2m-jwt-${p}`,
      '    valves:',
      '      - name: ClientAuthenticate',
      '      - name: ScopeCheck',
      '      - name: CreateJwt',
      '        config:',
      '          keystore: signing',
      '          jwt_ttl: 60m',
      '          jwt_claims:',
      '            appid: ${client.attributes.appid}',
      '            tenant: ${client.attributes.tenant}',
      '            roles: ${client.attributes.roles}',
      '      - name: TokenResponse',
    );
  }
  return lines;
}

function main(args) {
  const usage = 'usage: node bench/scale/gen-rps.mjs N [--port P] [--scrypt-every K] > rps.yaml';
  const count = Number(args[0]);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : Number(args[i + 1]);
  };
  const port = option('--port', 8080);
  const scryptEvery = option('--scrypt-every', 0);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(port) || !Number.isInteger(scryptEvery) || scryptEvery < 0) {
    process.stderr.write(usage + '\n');
    return 2;
  }
  process.stdout.write(generateRpsConfig({ count, port, scryptEvery }).join('\n') + '\n');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
