/** Command-line parsing shared by the subcommands; bad usage exits 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { packagePath } from '../package-root.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {}

export const DEFAULT_CONFIG = packagePath('config/sluice.yaml');

/** parseArgs in strict mode, its errors turned into usage errors (exit 2). */
export function parse<T extends Options>(args: string[], options: T, allowPositionals = false): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
