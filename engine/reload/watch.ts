/**
 * `sluice serve --watch`: reload when a file the config reads changes (the config file,
 * `${file.…}` files, key files; load.ts lists them).
 *
 * The directories are watched, not the files: an editor saves by writing a new file and
 * renaming it over the old one, and a watch on the old file would go deaf after the first
 * save (Kubernetes swaps a whole directory of ConfigMap files through a symlink the same
 * way). Any event in a watched directory is a hint; after the events settle (DEBOUNCE_MS,
 * an editor's save is several of them) the files' identity (device, inode, size, mtime,
 * following symlinks) is compared with what it was, and only a real change reloads. So a
 * swap file, a backup or a neighbour's write in the same directory does not.
 */
import { realpathSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

export const DEBOUNCE_MS = 200;

export class ConfigWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `onChange` is called once the events settle and a watched file really changed. */
  constructor(files: readonly string[], private readonly onChange: () => void, private readonly logger: Logger) {
    this.watch(files);
  }

  /** Watch these files from now on (the list of the config just loaded, or just refused). */
  watch(files: readonly string[]): void {
    if (this.closed) return;
    // A file already watched keeps the identity it had when its change was noticed, so that
    // a write during the reload that just ran is still a change.
    this.seen = new Map(files.map((file) => [file, this.seen.get(file) ?? identity(file)]));
    const dirs = new Set(files.map((file) => dirname(file)));
    // A file that is a symlink into another directory is edited there: watch that one too. It
    // may go (a release directory, a ConfigMap's timestamped one): then quietly, the link's stays.
    const targetDirs = new Set(files.map(targetDir).filter((dir): dir is string => dir !== undefined && !dirs.has(dir)));
    for (const [dir, watcher] of this.watchers) {
      if (dirs.has(dir) || targetDirs.has(dir)) continue;
      watcher.close();
      this.watchers.delete(dir);
    }
    for (const dir of dirs) if (!this.watchers.has(dir)) this.watchDir(dir, false);
    for (const dir of targetDirs) if (!this.watchers.has(dir)) this.watchDir(dir, true);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private watchDir(dir: string, quiet: boolean): void {
    try {
      const watcher = watch(dir, { persistent: false }, () => this.settle());
      // A directory removed or unreadable later: tell it, keep serving.
      watcher.on('error', (error) => {
        if (!quiet) this.logger.warn({ event: 'watch_error', dir, error: error.message }, 'a watched directory can no longer be watched; changes there need SIGHUP');
        watcher.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, watcher);
    } catch (error) {
      // A key file's directory that does not exist yet (the config is refused until it does).
      if (!quiet) this.logger.warn({ event: 'watch_error', dir, error: (error as Error).message }, 'cannot watch this directory; changes there need SIGHUP');
    }
  }

  private settle(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.compare(), DEBOUNCE_MS);
  }

  private compare(): void {
    if (this.closed) return;
    const now = new Map([...this.seen.keys()].map((file) => [file, identity(file)]));
    const changed = [...now].some(([file, id]) => this.seen.get(file) !== id);
    this.seen = now;
    if (changed) this.onChange();
  }
}

/** The directory of the file a symlink resolves to, when it is one and resolves. */
function targetDir(file: string): string | undefined {
  try {
    return dirname(realpathSync(file));
  } catch {
    return undefined;
  }
}

/** What changes when a file's content is replaced or written: '' for a file that is not there. */
function identity(file: string): string {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return '';
  }
}
