/** `sluice serve [FILE | -c FILE] [--host H] [--port N] [--workers N|auto]`: refuses an invalid config like check. */
import { availableParallelism } from 'node:os';
import { chooseConfig, fallbackNote } from './config-file.js';
import { listenUntilStopped, loadForServing } from './serve-engine.js';
import { parse, UsageError } from './usage.js';

/** More workers than this is a typo, not a deployment (each one is a Node process with the whole config). */
export const MAX_WORKERS = 256;

export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' } }, true);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError('--port must be 0..65535');
  const workers = parseWorkers(values.workers);
  const { file, fellBack } = chooseConfig(values.config, positionals);
  if (fellBack) process.stderr.write(fallbackNote('serving'));
  const server = { ...(values.host ? { host: values.host } : {}), ...(port !== undefined ? { port } : {}) };
  // Several processes only when asked: one worker is this process, with no cluster at all.
  if (workers > 1) return (await import('../cluster/primary.js')).servePrimary({ file, server, workers });
  const engine = await loadForServing({ file, options: { server }, announce: true });
  if (!engine) return 1;
  return listenUntilStopped(engine, file);
}

/** `--workers N|auto`: a whole number 1..MAX_WORKERS, or the number of cores (os.availableParallelism). */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= MAX_WORKERS)) throw new UsageError(`--workers must be auto or a whole number 1..${MAX_WORKERS}`);
  return count;
}
