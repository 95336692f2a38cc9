/**
 * `sluice secret hash`: a client secret on stdin → its `$scrypt$` hash (secrets a human
 * chose need the slow KDF). `sluice secret generate`: a new 256-bit random secret and its
 * fast `$sha256$` hash (fast-hash.ts says why that is enough for it).
 */
import { randomBytes } from 'node:crypto';
import { fastHash } from '../client-auth/fast-hash.js';
import { hashSecret } from '../client-auth/secret-hash.js';
import { parse, readStdin, UsageError } from './usage.js';

export async function secret(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'hash' && rest.length === 0) return hash();
  if (sub === 'generate') return generate(rest);
  throw new UsageError('usage: sluice secret hash  (reads the secret on stdin) | sluice secret generate [--json]');
}

async function hash(): Promise<number> {
  // One trailing newline is what `echo` and a terminal add; it is not part of the secret.
  const value = (await readStdin()).replace(/\r?\n$/, '');
  if (!value) throw new UsageError('no secret on stdin');
  if (value.length < 16) process.stderr.write('sluice: warning: a client secret should be at least 16 random characters\n');
  // A Basic secret is read as sent unless it holds %XX escapes (README, Client authentication).
  if (/%[0-9A-Fa-f]{2}/.test(value) || / /.test(value)) {
    process.stderr.write('sluice: warning: this secret holds a space or a %XX sequence: clients must form-encode it in HTTP Basic (RFC 6749 section 2.3.1); `curl -u` sends it raw and will be refused\n');
  }
  process.stdout.write((await hashSecret(value)) + '\n');
  return 0;
}

/**
 * stdout is only the two values, for scripts: line 1 the secret, line 2 the hash (or one
 * JSON object with --json); which goes where is said on stderr, for people.
 */
function generate(args: string[]): number {
  const { values } = parse(args, { json: { type: 'boolean' } });
  // base64url: no + / or =, so the secret needs no escaping in Basic auth, a form or a shell.
  const value = randomBytes(32).toString('base64url');
  const hashed = fastHash(value);
  if (values.json) {
    process.stdout.write(JSON.stringify({ secret: value, hash: hashed }) + '\n');
    return 0;
  }
  process.stdout.write(`${value}\n${hashed}\n`);
  process.stderr.write(
    'sluice: line 1 is the client secret: hand it to the client (a secret store); it is shown only now.\n' +
      `sluice: line 2 is its hash, for the config: client_secrets: [{ hash: "${hashed}" }] (or client_secret_hash).\n`,
  );
  return 0;
}
