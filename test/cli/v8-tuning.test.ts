import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tuneV8ForServing } from '../../engine/cli/v8-tuning.js';
import { requireBuild } from './cli.js';

beforeAll(requireBuild);

describe('V8 tuning of a serving process', () => {
  it('turns allocation-site pretenuring off', () => {
    const set: string[] = [];
    expect(tuneV8ForServing([], (flag) => set.push(flag))).toEqual(['--no-allocation-site-pretenuring']);
    expect(set).toEqual(['--no-allocation-site-pretenuring']);
  });

  it("keeps pretenuring when the operator asks for it on node's command line", () => {
    const set: string[] = [];
    expect(tuneV8ForServing(['--allocation-site-pretenuring'], (flag) => set.push(flag))).toEqual([]);
    expect(set).toEqual([]);
  });

  it.each([['--allocation_site_pretenuring'], ['--allocation-site_pretenuring'], ['--no-allocation_site_pretenuring'], ['--noallocation-site-pretenuring']])(
    'keeps what the operator chose, however node lets them spell it (%s: V8 reads _ as -)',
    (flag) => {
      const set: string[] = [];
      expect(tuneV8ForServing(['--max-old-space-size=512', flag], (f) => set.push(f))).toEqual([]);
      expect(set).toEqual([]);
    },
  );

  it('sets the flag in a real process without complaint, and the process goes on', () => {
    const module = fileURLToPath(new URL('../../dist/engine/cli/v8-tuning.js', import.meta.url));
    const script = `const { tuneV8ForServing } = await import(${JSON.stringify(module)}); const flags = tuneV8ForServing(); globalThis.gc?.(); const kept = []; for (let i = 0; i < 2e5; i++) kept.push({ i }); console.log(JSON.stringify({ flags, kept: kept.length }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ flags: ['--no-allocation-site-pretenuring'], kept: 200000 });
  });
});
