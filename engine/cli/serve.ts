/**
 * `sluice serve [FILE | -c FILE] [--host H] [--port N] [--workers N|auto] [--watch]`:
 * refuses an invalid config like check; SIGHUP (and --watch) reloads (engine/reload/).
 */
import { availableParallelism } from 'node:os';
import { chooseConfig, fallbackNote } from './config-file.js';
import { listenUntilStopped, loadForServing } from './serve-engine.js';
import { parse, UsageError } from './usage.js';
import { tuneV8ForServing } from './v8-tuning.js';
import { GeneratedKeys } from '../cluster/handed-keys.js';
import { reloadOnSignalAndWatch, type ReloadWiring } from '../reload/serve-reload.js';

/** More workers than this is a typo, not a deployment (each one is a Node process with the whole config). */
export const MAX_WORKERS = 256;

export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' }, watch: { type: 'boolean' } }, true);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError('--port must be 0..65535');
  const workers = parseWorkers(values.workers);
  const { file, fellBack } = chooseConfig(values.config, positionals);
  if (fellBack) process.stderr.write(fallbackNote('serving'));
  const server = { ...(values.host ? { host: values.host } : {}), ...(port !== undefined ? { port } : {}) };
  // Several processes only when asked: one worker is this process, with no cluster at all.
  const watch = values.watch === true;
  // The primary of --workers too: it answers the workers' store calls.
  tuneV8ForServing();
  if (workers > 1) return (await import('../cluster/primary.js')).servePrimary({ file, server, workers, watch });
  // Until it listens, a SIGHUP (its default: exit) has nothing to reload; the config read now is the newest.
  const ignore = () => undefined;
  process.on('SIGHUP', ignore);
  // One key per `generated` keystore for the life of the process: a reload keeps it.
  const options = { server, generateKey: new GeneratedKeys().generate };
  const loaded = await loadForServing({ file, options, announce: true });
  if (!loaded) return 1;
  let reload: ReloadWiring | undefined;
  return listenUntilStopped(loaded.engine, file, {
    onListening(holder) {
      reload = reloadOnSignalAndWatch(holder, { file, options }, { watch, files: loaded.files, logger: loaded.engine.logger });
      process.off('SIGHUP', ignore);
    },
    onStopped: async () => reload?.stop(),
  });
}

/** `--workers N|auto`: a whole number 1..MAX_WORKERS, or the number of cores (os.availableParallelism). */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= MAX_WORKERS)) throw new UsageError(`--workers must be auto or a whole number 1..${MAX_WORKERS}`);
  return count;
}
