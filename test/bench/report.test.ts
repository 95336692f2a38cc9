/** The benchmark's pure pieces: how runs become figures and how a run compares with the last. */
import { describe, expect, it } from 'vitest';
import { compareWithPrevious, formatTable, summarise, summariseSameRate, type Row } from '../../bench/report.js';
import { cpuPerRequest, median, medianRatio, type RunSample } from '../../bench/stats.js';

const sample = (round: number, requestsPerSecond: number, extra: Partial<RunSample> = {}): RunSample => ({
  round, requestsPerSecond, responses: requestsPerSecond * 10, failures: 0, p50Ms: 10, p99Ms: 20, cpuMicros: requestsPerSecond * 10 * 200, ...extra,
});

describe('stats', () => {
  it('median of odd and even counts, undefined for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('medianRatio pairs runs of the same round, so drift between rounds cancels', () => {
    // The machine halves its speed in round 2: a ratio of medians would say 1.5, the pairs say 2.
    const a = [sample(1, 2000), sample(2, 1000), sample(3, 2000)];
    const b = [sample(1, 1000), sample(2, 500), sample(3, 1000)];
    expect(medianRatio(a, b)).toBe(2);
  });

  it('medianRatio ignores rounds the other side lacks', () => {
    expect(medianRatio([sample(1, 300), sample(2, 900)], [sample(2, 300)])).toBe(3);
    expect(medianRatio([sample(1, 300)], [])).toBeUndefined();
  });

  it('cpuPerRequest is total CPU over total responses, undefined when a run had no /proc figure', () => {
    expect(cpuPerRequest([sample(1, 100, { cpuMicros: 1000, responses: 10 }), sample(2, 100, { cpuMicros: 3000, responses: 10 })])).toBe(200);
    expect(cpuPerRequest([sample(1, 100, { cpuMicros: undefined })])).toBeUndefined();
  });
});

describe('report', () => {
  const measured = (variant: string, rates: number[], against?: { variant: string; samples: RunSample[] }) =>
    summarise({ scenario: 'ES256', variant, label: variant, samples: rates.map((rate, i) => sample(i + 1, rate)), startMs: 500, rssBytes: 100 * 2 ** 20, ...(against ? { against } : {}) });

  it('summarise gives medians, the ratio against the named variant, and failures summed', () => {
    const peer = measured('peer', [1000, 1000, 1000]);
    const row = measured('sluice', [2500, 3000, 2000], { variant: 'peer', samples: peer.samples });
    expect(row).toMatchObject({ requestsPerSecond: 2500, ratio: 2.5, ratioAgainst: 'peer', p50Ms: 10, p99Ms: 20, cpuMicrosPerRequest: 200, startMs: 500, rssMb: 100, failures: 0 });
  });

  it('compareWithPrevious matches rows by scenario and variant', () => {
    const now: Row[] = [{ ...measured('sluice', [3000]), ratio: 2 }, measured('new', [10])];
    const before: Row[] = [{ ...measured('sluice', [2000]), ratio: 1.5 }];
    const changes = compareWithPrevious(now, before);
    expect(changes.get('ES256/sluice')).toEqual({ requestsPerSecond: 0.5, previousRatio: 1.5 });
    expect(changes.has('ES256/new')).toBe(false);
    expect(compareWithPrevious(now, undefined).size).toBe(0);
  });

  it('formatTable prints a Markdown table, the change columns only when there was a previous run', () => {
    const peer = measured('peer', [1000]);
    const rows = [measured('sluice', [2000], { variant: 'peer', samples: peer.samples }), peer, { scenario: 'Sluice options', variant: 'workers-2', label: 'serve --workers 2', note: 'n/a (no --workers)', failures: 0, samples: [] }];
    const table = formatTable(rows).split('\n');
    expect(table[0]).toBe('| scenario | server | req/s | ratio | p50 ms | p99 ms | CPU µs/req | start ms | RSS MB |');
    expect(table[2]).toBe('| ES256 | sluice | 2000 | 2.00x | 10.0 | 20.0 | 200 | 500 | 100 |');
    expect(table[3]).toMatch(/^\| {2}\| peer \| 1000 \| {2}\|/);
    expect(table[4]).toContain('| serve --workers 2 | n/a (no --workers) |');
    const compared = formatTable(rows, compareWithPrevious(rows, [{ ...rows[0]!, requestsPerSecond: 2500, ratio: 2.5 }])).split('\n');
    expect(compared[0]).toContain('| req/s vs prev | prev ratio |');
    expect(compared[2]).toMatch(/\| -20\.0% \| 2\.50x \|$/);
  });

  it('the same-rate column: medians of the fixed-rate runs, printed with their rate, only when a row has them', () => {
    const peer = measured('peer', [1000]);
    const sameRate = summariseSameRate(700, [sample(1, 700, { p99Ms: 9 }), sample(2, 700, { p99Ms: 30 }), sample(3, 700, { p99Ms: 12 })]);
    expect(sameRate).toMatchObject({ rate: 700, p50Ms: 10, p99Ms: 12 });
    const rows = [{ ...measured('sluice', [2000], { variant: 'peer', samples: peer.samples }), sameRate }, peer];
    const table = formatTable(rows).split('\n');
    expect(table[0]).toBe('| scenario | server | req/s | ratio | p50 ms | p99 ms | p99 ms at same rate | CPU µs/req | start ms | RSS MB |');
    expect(table[2]).toBe('| ES256 | sluice | 2000 | 2.00x | 10.0 | 20.0 | 12.0 @ 700/s | 200 | 500 | 100 |');
    expect(table[3]).toBe('|  | peer | 1000 |  | 10.0 | 20.0 |  | 200 | 500 | 100 |');
  });

  it('formatTable marks a row whose runs had failed requests', () => {
    const row = { ...measured('sluice', [100]), failures: 7 };
    expect(formatTable([row])).toContain('| sluice (7 failed) |');
  });
});
