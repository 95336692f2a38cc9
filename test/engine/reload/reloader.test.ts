/**
 * The Reloader in one process, on real loads: the store is carried over when `store` is
 * unchanged and replaced (the old one closed after the drain) when it changes; generated
 * keys stay by keystore id and alg (a new alg is a new key); a refused config leaves the
 * running engine in place and reports the errors at their YAML positions; asks during a
 * reload coalesce into one more; a new Redis store must answer before it is swapped in; every outcome reaches onReload (the metrics seam); the
 * loader lists every file a config reads, unreadable ones included.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GeneratedKeys } from '../../../engine/cluster/handed-keys.js';
import type { Engine } from '../../../engine/engine.js';
import { generateKeyFile } from '../../../engine/keystores/generate.js';
import { loadConfigFile, type LoadOptions } from '../../../engine/load.js';
import { createLogger } from '../../../engine/logger.js';
import { OneAtATime } from '../../../engine/reload/one-at-a-time.js';
import { onReload, reloaded } from '../../../engine/reload/outcomes.js';
import { Reloader, type ReloadReport } from '../../../engine/reload/reloader.js';
import { RedisServer } from '../../helpers/redis.js';
import { freePort, LogCapture, tempDir } from '../../helpers/sluice.js';

const config = ({ capacity = 1000, alg = 'ES256', claim = 'one', typo = false, redis = '' } = {}) => `
issuer: http://127.0.0.1:8080
server: { request_timeout: 1 }
store: ${redis === '' ? `{ type: memory, capacity: ${capacity} }` : `{ type: redis, url: "${redis}", start_timeout: 0 }`}
keystores: [{ id: dev, type: generated, alg: ${alg} }]
rps: [{ client_id: c, client_secret: c-secret-0123456789, client_credentials_pipe_id: p }]
pipes:
  - id: p
    valves:
      - name: CreateJwt
        config: { keystore: dev, ${typo ? 'jwt_claimz' : 'jwt_claims'}: { v: ${claim} } }
      - { name: TokenResponse }
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function running(text: string) {
  const dir = tempDir({ 'sluice.yaml': text });
  dirs.push(dir);
  const file = join(dir, 'sluice.yaml');
  const options: LoadOptions = { logger: createLogger('info', new LogCapture()), generateKey: new GeneratedKeys().generate };
  const { engine, diagnostics } = await loadConfigFile(file, options);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const holder = { current: engine! };
  const reloader = new Reloader(holder, () => ({ file, options }));
  const reports: ReloadReport[] = [];
  reloader.onReload((r) => reports.push(r));
  return { file, holder, reloader, reports, first: engine! };
}

const store = (engine: Engine) => engine.verifyContext.store;

describe('Reloader', () => {
  it('keeps the store (and its contents) when store is unchanged, and the generated key', async () => {
    const { file, holder, reloader, first } = await running(config());
    await store(first).set('revoked:x', '1', 60);
    writeFileSync(file, config({ claim: 'two' }));
    const report = await reloader.reload('SIGHUP');
    expect(report).toMatchObject({ outcome: 'success', summary: { clients: 1, pipes: 1 } });
    expect(holder.current).not.toBe(first);
    expect(store(holder.current)).toBe(store(first));
    expect(await store(holder.current).get('revoked:x')).toBe('1');
    expect(holder.current.jwks).toEqual(first.jwks);
  });

  it('opens a new store when store changes; a new alg is a new key', async () => {
    const { file, holder, reloader, first } = await running(config());
    await store(first).set('k', 'v', 60);
    writeFileSync(file, config({ capacity: 2000, alg: 'EdDSA' }));
    expect((await reloader.reload('watch')).outcome).toBe('success');
    expect(store(holder.current)).not.toBe(store(first));
    expect(await store(holder.current).get('k')).toBeUndefined();
    expect(holder.current.jwks.keys[0]!.kid).not.toBe(first.jwks.keys[0]!.kid);
    await reloader.stop(); // closes the retired store at once
  });

  it('a new Redis store must answer before the swap: one that does not is refused, one that does takes over', async () => {
    const { file, holder, reloader, first } = await running(config());
    const redis = await RedisServer.start();
    try {
      writeFileSync(file, config({ redis: `redis://127.0.0.1:${await freePort()}` }));
      const refused = await reloader.reload('SIGHUP');
      expect(refused).toMatchObject({ outcome: 'failure', diagnostics: [], reason: expect.stringMatching(/store/) });
      expect(holder.current).toBe(first);

      writeFileSync(file, config({ redis: redis.url }));
      expect((await reloader.reload('SIGHUP')).outcome).toBe('success');
      await store(holder.current).set('revoked:y', '1', 60);
      expect(await store(holder.current).get('revoked:y')).toBe('1');
      expect(await store(first).get('revoked:y')).toBeUndefined();
    } finally {
      await store(holder.current).close?.();
      await reloader.stop();
      await redis.stop();
    }
  }, 30_000);

  it('refuses an invalid config: the running engine stays, the errors point into the YAML', async () => {
    const { file, holder, reloader, first, reports } = await running(config());
    writeFileSync(file, config({ typo: true }));
    const report = await reloader.reload('SIGHUP');
    expect(holder.current).toBe(first);
    expect(report.outcome).toBe('failure');
    expect(report.diagnostics).toEqual([expect.objectContaining({ file, line: 11, col: 34, severity: 'error', code: 'schema' })]);
    expect(reports.map((r) => r.outcome)).toEqual(['failure']);
  });

  it('asks during a reload coalesce: three asks, two runs', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const queue = new OneAtATime(async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
      return runs;
    });
    const first = queue.request();
    const second = queue.request();
    const third = queue.request();
    expect(second).toBe(third);
    release();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    release();
    expect(await second).toBe(2);
    expect(runs).toBe(2);
  });
});

describe('onReload, the seam for metrics', () => {
  it('tells every listener each outcome; one that throws does not stop the others', () => {
    const seen: string[] = [];
    const offs = [onReload(() => {
      throw new Error('a broken counter');
    }), onReload((outcome, report) => seen.push(`${outcome}:${report.trigger}`))];
    reloaded({ outcome: 'success', trigger: 'SIGHUP', files: [] });
    reloaded({ outcome: 'failure', trigger: 'watch', files: [], diagnostics: [] });
    for (const off of offs) off();
    reloaded({ outcome: 'success', trigger: 'SIGHUP', files: [] });
    expect(seen).toEqual(['success:SIGHUP', 'failure:watch']);
  });
});

describe('the files a config reads', () => {
  it('lists the config file, ${file.…} files and key files, unreadable ones too', async () => {
    const dir = tempDir({ 'secret.txt': 'c-secret-0123456789\n' });
    dirs.push(dir);
    await generateKeyFile('ES256', join(dir, 'signing.pem'));
    const text = `
issuer: http://127.0.0.1:8080
keystores:
  - { id: pem, type: pem, path: signing.pem }
  - { id: gone, type: pem, path: keys/missing.pem }
rps: [{ client_id: c, client_secret: "\${file.secret.txt}", client_credentials_pipe_id: p }]
pipes: [{ id: p, valves: [{ name: CreateJwt, config: { keystore: pem } }, { name: TokenResponse }] }]
`;
    writeFileSync(join(dir, 'sluice.yaml'), text);
    const { files, engine } = await loadConfigFile(join(dir, 'sluice.yaml'), { logger: createLogger('info', new LogCapture()) });
    expect(engine).toBeUndefined(); // the missing key file
    expect(files.sort()).toEqual([join(dir, 'keys/missing.pem'), join(dir, 'secret.txt'), join(dir, 'signing.pem'), join(dir, 'sluice.yaml')].sort());
  });
});
