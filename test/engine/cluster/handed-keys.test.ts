/**
 * The keys of `generated` keystores under --workers: a config loaded with the keys the
 * primary generated publishes the primary's keys (same kids, same public members), so a
 * token from any worker verifies at any other; a keystore the primary handed nothing for
 * is a config error at that keystore, never a key of the worker's own.
 */
import { describe, expect, it } from 'vitest';
import { GeneratedKeys, handedKeys } from '../../../engine/cluster/handed-keys.js';
import { createLogger } from '../../../engine/logger.js';
import { loadConfigText } from '../../../engine/load.js';
import { LogCapture } from '../../helpers/sluice.js';

const CONFIG = `
issuer: http://127.0.0.1:8080
keystores:
  - { id: ec, type: generated }
  - { id: ed, type: generated, alg: EdDSA }
rps: [{ client_id: c, client_secret: c-secret-0123456789, client_credentials_pipe_id: p }]
pipes: [{ id: p, valves: [{ name: CreateJwt, config: { keystore: ec } }, { name: TokenResponse }] }]
`;

const quietly = { logger: createLogger('info', new LogCapture()) };

describe('generated keys handed from the primary to the workers', () => {
  it('a worker loading with the handed keys publishes exactly the primary JWKS; without them, a new key', async () => {
    const keys = new GeneratedKeys();
    const primary = await loadConfigText('/tmp/sluice.yaml', CONFIG, { ...quietly, generateKey: keys.generate });
    expect(primary.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const pems = keys.toPem();
    expect(Object.keys(pems).sort()).toEqual(['ec', 'ed']);
    const [worker1, worker2] = await Promise.all([1, 2].map(() => loadConfigText('/tmp/sluice.yaml', CONFIG, { ...quietly, generateKey: handedKeys(pems) })));
    expect(primary.engine!.jwks.keys).toHaveLength(2);
    expect(worker1!.engine!.jwks).toEqual(primary.engine!.jwks);
    expect(worker2!.engine!.jwks).toEqual(primary.engine!.jwks);
    const alone = await loadConfigText('/tmp/sluice.yaml', CONFIG, quietly);
    expect(alone.engine!.jwks).not.toEqual(primary.engine!.jwks);
  });

  it('a keystore the primary handed no key (or garbage) for is an error at that keystore', async () => {
    const keys = new GeneratedKeys();
    await keys.generate({ id: 'ec', type: 'generated' });
    const handed: Array<Record<string, string>> = [{ ec: keys.toPem().ec! }, { ec: keys.toPem().ec!, ed: 'not a key' }];
    for (const pems of handed) {
      const { engine, diagnostics } = await loadConfigText('/tmp/sluice.yaml', CONFIG, { ...quietly, generateKey: handedKeys(pems) });
      expect(engine).toBeUndefined();
      const errors = diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map(({ line, code }) => ({ line, code }))).toEqual([{ line: 5, code: 'keystore_invalid' }]); // the `ed` entry
    }
  });
});
