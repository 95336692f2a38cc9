/**
 * Attack review (issue 15): `serve --watch` watches the directories of the files a config
 * reads. A config file that is a symlink into another directory (a deploy tool's
 * /etc/sluice/sluice.yaml -> /srv/releases/current/sluice.yaml) is edited where it lives,
 * a directory nobody watched: the edit never reloaded.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/logger.js';
import { ConfigWatcher } from '../../engine/reload/watch.js';
import { LogCapture, tempDir } from '../helpers/sluice.js';

describe('--watch on a symlinked config (attack review)', () => {
  it('reloads when the file the link points to, in another directory, is edited', async () => {
    const root = tempDir({});
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'release'));
    const target = join(root, 'release', 'sluice.yaml');
    writeFileSync(target, 'a: 1\n');
    const link = join(root, 'etc', 'sluice.yaml');
    symlinkSync(target, link);
    let changed!: () => void;
    const reloaded = new Promise<void>((resolve) => (changed = resolve));
    const watcher = new ConfigWatcher([link], () => changed(), createLogger('info', new LogCapture()));
    try {
      writeFileSync(target, 'a: 2, b: longer\n');
      // Without the fix this never settles and the test times out.
      await expect(reloaded).resolves.toBeUndefined();
    } finally {
      watcher.close();
    }
  }, 10_000);
});
