/**
 * Reload wiring of a process that serves by itself (`sluice serve` without --workers):
 * SIGHUP and, with --watch, a change of a file the config reads, reload; each reload is
 * logged (log-report.ts) and the watched files follow the config.
 */
import type { Logger } from 'pino';
import type { EngineHolder } from '../http/server.js';
import { logReload } from './log-report.js';
import { reloaded } from './outcomes.js';
import type { ReloadSource } from './prepare.js';
import { Reloader } from './reloader.js';
import { ConfigWatcher } from './watch.js';

export interface ReloadWiring {
  readonly reloader: Reloader;
  /** Stop reloading (signal, watcher) and close stores still being retired. */
  stop(): Promise<void>;
}

export function reloadOnSignalAndWatch(holder: EngineHolder, source: ReloadSource, options: { watch: boolean; files: readonly string[]; logger: Logger }): ReloadWiring {
  const reloader = new Reloader(holder, () => source);
  const watcher = options.watch ? new ConfigWatcher(options.files, () => void reloader.reload('watch'), options.logger) : undefined;
  reloader.onReload((report) => {
    logReload(holder.current.logger, report);
    reloaded(report);
    if (report.files.length > 0) watcher?.watch(report.files);
  });
  let stopping = false;
  // Kept while stopping, so that a late SIGHUP finds no default handler (which would kill the process).
  process.on('SIGHUP', () => void (stopping || reloader.reload('SIGHUP')));
  return {
    reloader,
    async stop() {
      stopping = true;
      watcher?.close();
      await reloader.stop();
    },
  };
}
