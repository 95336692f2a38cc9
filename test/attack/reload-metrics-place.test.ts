/**
 * Attack review (issue 15): where metrics are served is fixed at start (metrics-route.ts),
 * but a reload that moved them (say, off the public main port onto metrics.port, so that
 * client names stop leaking) reported plain success, and `sluice diff` said "No changes":
 * the operator believed /metrics gone from the main port while it still answered there.
 * Now the reload reports it in reload_needs_restart and diff marks it "needs a restart".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../engine/http/server.js';
import { loadConfigFile } from '../../engine/load.js';
import { createLogger } from '../../engine/logger.js';
import { Reloader } from '../../engine/reload/reloader.js';
import { BASIC_CONFIG, BASIC_ENV, freePort, LogCapture, tempDir } from '../helpers/sluice.js';
import { removeTempDirs, requireBuild, sluice, trackedTempDir } from '../cli/cli.js';

beforeAll(() => requireBuild());
afterAll(() => removeTempDirs());

describe('a reload that moves metrics (attack review)', () => {
  it('says it needs a restart, while /metrics keeps answering where it was', async () => {
    const dir = tempDir({ 'config.yaml': BASIC_CONFIG });
    const file = join(dir, 'config.yaml');
    const port = await freePort();
    const options = { env: BASIC_ENV, logger: createLogger('info', new LogCapture()), server: { port } };
    const { engine } = await loadConfigFile(file, options);
    const holder = { current: engine! };
    const app = createServer(holder);
    await app.listen({ host: '127.0.0.1', port });
    try {
      writeFileSync(file, `${BASIC_CONFIG}\nmetrics: { port: ${await freePort()} }\n`);
      const report = await new Reloader(holder, () => ({ file, options })).reload('SIGHUP');
      expect(report.outcome).toBe('success');
      expect(report.needsRestart).toContain('metrics.port');
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);

      writeFileSync(file, `${BASIC_CONFIG}\nmetrics: { path: /prom }\n`);
      expect((await new Reloader(holder, () => ({ file, options })).reload('SIGHUP')).needsRestart).toContain('metrics.path');
    } finally {
      await app.close();
    }
  });

  it('started without metrics, turning them on needs a restart; turning them off does not', async () => {
    const dir = tempDir({ 'config.yaml': `${BASIC_CONFIG}\nmetrics: { enabled: false }\n` });
    const file = join(dir, 'config.yaml');
    const options = { env: BASIC_ENV, logger: createLogger('info', new LogCapture()), server: { port: await freePort() } };
    const holder = { current: (await loadConfigFile(file, options)).engine! };
    writeFileSync(file, BASIC_CONFIG);
    expect((await new Reloader(holder, () => ({ file, options })).reload('SIGHUP')).needsRestart).toEqual(['metrics.enabled']);
    writeFileSync(file, `${BASIC_CONFIG}\nmetrics: { enabled: false }\n`);
    expect((await new Reloader(holder, () => ({ file, options })).reload('SIGHUP')).needsRestart).toEqual([]);
  });
});

describe('sluice diff of a metrics change (attack review)', () => {
  it('tells it, marked as needing a restart', async () => {
    const dir = trackedTempDir();
    writeFileSync(join(dir, 'old.yaml'), BASIC_CONFIG);
    writeFileSync(join(dir, 'new.yaml'), `${BASIC_CONFIG}\nmetrics: { port: 9464 }\n`);
    const text = await sluice(['diff', 'old.yaml', 'new.yaml'], { cwd: dir, env: BASIC_ENV });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^setting changed: metrics\.port: .*needs a restart/m);
    const json = JSON.parse((await sluice(['diff', '--json', 'old.yaml', 'new.yaml'], { cwd: dir, env: BASIC_ENV })).stdout) as { settings: unknown[] };
    expect(json.settings).toEqual([expect.objectContaining({ setting: 'metrics.port', to: 9464, restart: true })]);
  });
});
