/** `sluice secret hash`: a client secret on stdin → the client_secret_hash for the config. */
import { hashSecret } from '../client-auth/secret-hash.js';
import { readStdin, UsageError } from './usage.js';

export async function secret(args: string[]): Promise<number> {
  if (args[0] !== 'hash' || args.length > 1) throw new UsageError("usage: sluice secret hash  (reads the secret on stdin)");
  // One trailing newline is what `echo` and a terminal add; it is not part of the secret.
  const value = (await readStdin()).replace(/\r?\n$/, '');
  if (!value) throw new UsageError('no secret on stdin');
  if (value.length < 16) process.stderr.write('sluice: warning: a client secret should be at least 16 random characters\n');
  process.stdout.write((await hashSecret(value)) + '\n');
  return 0;
}
