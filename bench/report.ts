/** Results as rows: summarised from the runs, compared with the previous results, printed. Pure. */
import { cpuPerRequest, median, medianRatio, type RunSample } from './stats.js';

export interface Row {
  scenario: string;
  /** Unique within the scenario: the key of the previous run's row to compare with. */
  variant: string;
  label: string;
  requestsPerSecond?: number;
  /** Median over rounds of this row's req/s over `ratioAgainst`'s in the same round. */
  ratio?: number;
  ratioAgainst?: string;
  p50Ms?: number;
  p99Ms?: number;
  cpuMicrosPerRequest?: number;
  startMs?: number;
  rssMb?: number;
  failures: number;
  /** Why there are no figures ("n/a (no --workers)"), or a caveat. */
  note?: string;
  samples: RunSample[];
  /** Latency at one fixed request rate, the same for every server of the scenario (p99 at the same load). */
  sameRate?: SameRate;
}

export interface SameRate {
  /** Requests per second offered to each server. */
  rate: number;
  p50Ms?: number;
  p99Ms?: number;
  samples: RunSample[];
}

/** A scenario's fixed-rate runs of one server, summarised (medians over the runs). */
export function summariseSameRate(rate: number, samples: RunSample[]): SameRate {
  return { rate, p50Ms: median(samples.map((s) => s.p50Ms)), p99Ms: median(samples.map((s) => s.p99Ms)), samples };
}

export interface Results {
  version: 1;
  date: string;
  commit?: string;
  /** loadAverage: the 1-minute load average when the run began and ended. */
  machine: { nproc: number; cpu: string; node: string; platform: string; loadAverage: number[] };
  options: Record<string, unknown>;
  rows: Row[];
}

export interface Measured {
  scenario: string;
  variant: string;
  label: string;
  samples: RunSample[];
  startMs: number;
  rssBytes?: number;
  against?: { variant: string; samples: RunSample[] };
}

export function summarise(measured: Measured): Row {
  const { samples } = measured;
  const ratio = measured.against ? medianRatio(samples, measured.against.samples) : undefined;
  return {
    scenario: measured.scenario,
    variant: measured.variant,
    label: measured.label,
    requestsPerSecond: median(samples.map((s) => s.requestsPerSecond)),
    ...(ratio !== undefined ? { ratio, ratioAgainst: measured.against!.variant } : {}),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    cpuMicrosPerRequest: cpuPerRequest(samples),
    startMs: measured.startMs,
    ...(measured.rssBytes !== undefined ? { rssMb: measured.rssBytes / 2 ** 20 } : {}),
    failures: samples.reduce((sum, s) => sum + s.failures, 0),
    samples,
  };
}

export interface Change {
  /** Relative change of req/s against the previous run's same row (0.05 = +5%). */
  requestsPerSecond?: number;
  previousRatio?: number;
}

const rowKey = (row: Pick<Row, 'scenario' | 'variant'>) => `${row.scenario}/${row.variant}`;

export function compareWithPrevious(rows: readonly Row[], previous: readonly Row[] | undefined): Map<string, Change> {
  const changes = new Map<string, Change>();
  if (!previous) return changes;
  const before = new Map(previous.map((row) => [rowKey(row), row]));
  for (const row of rows) {
    const old = before.get(rowKey(row));
    if (!old) continue;
    const change: Change = {};
    if (row.requestsPerSecond !== undefined && old.requestsPerSecond) change.requestsPerSecond = row.requestsPerSecond / old.requestsPerSecond - 1;
    if (old.ratio !== undefined) change.previousRatio = old.ratio;
    changes.set(rowKey(row), change);
  }
  return changes;
}

const fixed = (value: number | undefined, digits = 0) => (value === undefined ? '' : value.toFixed(digits));
const percent = (value: number | undefined) => (value === undefined ? '' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`);

/** A Markdown table (readable in a terminal, pasted as is into the README). */
export function formatTable(rows: readonly Row[], changes: Map<string, Change> = new Map()): string {
  const withPrevious = changes.size > 0;
  const sameRate = rows.some((row) => row.sameRate);
  const header = ['scenario', 'server', 'req/s', 'ratio', 'p50 ms', 'p99 ms', ...(sameRate ? ['p99 ms at same rate'] : []), 'CPU µs/req', 'start ms', 'RSS MB', ...(withPrevious ? ['req/s vs prev', 'prev ratio'] : [])];
  const lines = [header, header.map((_, i) => (i < 2 ? '---' : '---:'))];
  let scenario = '';
  for (const row of rows) {
    const change = changes.get(rowKey(row));
    const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x`;
    const atRate = sameRate ? [row.sameRate ? `${fixed(row.sameRate.p99Ms, 1)} @ ${fixed(row.sameRate.rate)}/s` : ''] : [];
    const figures = row.note && row.requestsPerSecond === undefined
      ? [row.note, '', '', '', ...atRate.map(() => ''), '', '', '']
      : [fixed(row.requestsPerSecond), ratio, fixed(row.p50Ms, 1), fixed(row.p99Ms, 1), ...atRate, fixed(row.cpuMicrosPerRequest), fixed(row.startMs), fixed(row.rssMb)];
    const label = row.failures > 0 ? `${row.label} (${row.failures} failed)` : row.label;
    lines.push([
      row.scenario === scenario ? '' : row.scenario,
      label,
      ...figures,
      ...(withPrevious ? [percent(change?.requestsPerSecond), change?.previousRatio === undefined ? '' : `${change.previousRatio.toFixed(2)}x`] : []),
    ]);
    scenario = row.scenario;
  }
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
