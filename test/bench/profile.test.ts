/** The profile summary of bench/profile.ts: where time is attributed, and start-up left out. */
import { describe, expect, it } from 'vitest';
import { placeOf, selfTimes } from '../../bench/profile.js';

describe('bench profile summary', () => {
  it('places code by package, node module or Sluice module', () => {
    expect(placeOf('file:///x/node_modules/pino/pino.js', 'write')).toBe('pino');
    expect(placeOf('file:///x/node_modules/@pinojs/redact/index.js', 'redact')).toBe('@pinojs/redact');
    expect(placeOf('node:internal/crypto/sig', 'signOneShot')).toBe('node internal/crypto/sig');
    expect(placeOf('file:///x/dist/engine/token-endpoint.js', 'run')).toBe('sluice engine/token-endpoint.js');
    expect(placeOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(placeOf('', 'writev')).toBe('(native)');
  });

  it('sums self time, skips idle time and the first seconds', () => {
    const frame = (id: number, functionName: string, url = '') => ({ id, callFrame: { functionName, url, lineNumber: 0 } });
    const profile = {
      nodes: [frame(1, '(idle)'), frame(2, 'load', 'file:///x/node_modules/yaml/a.js'), frame(3, 'sign', 'node:internal/crypto/sig')],
      samples: [2, 1, 3, 3, 1],
      timeDeltas: [1_000_000, 500, 100, 300, 700],
    };
    const all = selfTimes(profile);
    expect(all.busy).toBe(1_000_400);
    const afterStart = selfTimes(profile, 1_000_500);
    expect(afterStart.busy).toBe(400);
    expect(afterStart.byPlace.get('node internal/crypto/sig')).toBe(400);
    expect(afterStart.byPlace.has('yaml')).toBe(false);
  });
});
