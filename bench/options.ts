/** `npm run bench -- [--rounds N] [--duration S] [--connections N] [--warmup S] [--only a,b] [--profile]` */
import { parseArgs } from 'node:util';
import { SELECTABLE } from './scenarios.js';

export interface BenchOptions {
  rounds: number;
  duration: number;
  connections: number;
  warmup: number;
  only: Set<string>;
  profile: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --rounds N        rounds of alternating runs (default 5)
  --duration S      seconds per run (default 10)
  --connections N   concurrent connections of the load generator (default 32)
  --warmup S        seconds of unmeasured load per server before the rounds (default 2)
  --only LIST       comma-separated, of: ${SELECTABLE.join(', ')} (default: all)
  --profile         write V8 CPU profiles of the Sluice servers to bench/results/profiles/
  -h, --help        print this help`;

function positive(name: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return value;
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const only = new Set(values.only !== undefined ? values.only.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean) : SELECTABLE);
  // An empty list would measure nothing and still replace latest.json with an empty table.
  if (only.size === 0) throw new Error(`--only: name at least one of ${SELECTABLE.join(', ')}`);
  const unknown = [...only].filter((name) => !(SELECTABLE as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')}; choose from ${SELECTABLE.join(', ')}`);
  return {
    rounds: positive('rounds', values.rounds, 5, true),
    duration: positive('duration', values.duration, 10, false),
    connections: positive('connections', values.connections, 32, true),
    warmup: positive('warmup', values.warmup, 2, false),
    only,
    profile: values.profile ?? false,
  };
}

/**
 * The options a results file records. `profile` only when set: a profiled run's figures
 * are not comparable with a plain run's, so the next run's "vs previous" line must show
 * it as a run with other options (and plain runs still match older files).
 */
export function recordedOptions(options: BenchOptions): Record<string, unknown> {
  const { rounds, duration, connections, warmup, only, profile } = options;
  return { rounds, duration, connections, warmup, only: [...only], ...(profile ? { profile: true } : {}) };
}
