/**
 * `npm run bench`: Sluice against node-oidc-provider, and Sluice against itself with its
 * options, each server in its own process, loaded by autocannon in this one, alternately
 * (A B A B …) over several rounds so that the machine's drift cancels out in the ratios.
 * Prints a table, writes bench/results/latest.json (the last one becomes previous.json).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALGORITHMS, makeSigningKey, type Algorithm, type SigningKey } from './keys.js';
import { measure, type LoadSettings } from './load.js';
import { parseOptions, recordedOptions, USAGE, type BenchOptions } from './options.js';
import { compareWithPrevious, formatTable, summarise, summariseSameRate, type Results, type Row, type SameRate } from './report.js';
import type { RequestSource } from './requests.js';
import { scenarios, type BenchContext, type Scenario } from './scenarios.js';
import type { ServerProcess } from './servers/process.js';
import { makeSecrets, REPO_ROOT, serveHasWorkersFlag } from './servers/sluice.js';
import { median, type RunSample } from './stats.js';
import { checkTokenResponse } from './verify.js';

const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
/** The first pool of assertions is sized for this rate, until one is measured. */
const INITIAL_RATE_GUESS = 5000;

const progress = (text: string) => process.stderr.write(text + '\n');

interface Running {
  server: ServerProcess;
  source: RequestSource;
  samples: RunSample[];
  sameRate?: SameRate;
}

async function runScenario(scenario: Scenario, options: BenchOptions): Promise<Row[]> {
  const active = scenario.variants.filter((variant) => !variant.unavailable);
  const running = new Map<string, Running>();
  const load = { connections: options.connections, duration: options.duration };
  let expectedRate = INITIAL_RATE_GUESS;
  const rss = new Map<string, number | undefined>();
  try {
    // One after another, so that each start-up is timed alone.
    for (const variant of active) {
      const server = await variant.start();
      const source = variant.source(server);
      running.set(variant.key, { server, source, samples: [] });
      await checkTokenResponse(server.name, server.url, source.first(), variant.expect);
      progress(`${scenario.name}: ${variant.label} serves valid tokens (started in ${server.startMs.toFixed(0)} ms)`);
    }
    for (const variant of active) {
      const { server, source } = running.get(variant.key)!;
      const warm = await measure(server, source, { ...load, duration: options.warmup }, 0, expectedRate);
      expectedRate = Math.max(expectedRate, warm.requestsPerSecond);
    }
    for (let round = 1; round <= options.rounds; round++) {
      for (const variant of active) {
        const entry = running.get(variant.key)!;
        const sample = await measure(entry.server, entry.source, load, round, expectedRate);
        expectedRate = Math.max(expectedRate, sample.requestsPerSecond);
        entry.samples.push(sample);
        progress(`${scenario.name} round ${round}/${options.rounds}: ${variant.label} ${sample.requestsPerSecond.toFixed(0)} req/s${sample.failures ? `, ${sample.failures} failed` : ''}`);
      }
    }
    if (scenario.sameRate) await runAtSameRate(scenario, scenario.sameRate, running, load, options);
    for (const [key, { server }] of running) rss.set(key, server.rssBytes());
  } finally {
    await Promise.all([...running.values()].map(({ server }) => server.stop()));
  }
  return scenario.variants.map((variant): Row => {
    if (variant.unavailable) return { scenario: scenario.name, variant: variant.key, label: variant.label, note: variant.unavailable, failures: 0, samples: [] };
    const { server, samples, sameRate } = running.get(variant.key)!;
    const against = variant.against ? { variant: variant.against, samples: running.get(variant.against)!.samples } : undefined;
    const rssBytes = rss.get(variant.key);
    const row = summarise({ scenario: scenario.name, variant: variant.key, label: variant.label, samples, startMs: server.startMs, ...(rssBytes !== undefined ? { rssBytes } : {}), ...(against ? { against } : {}) });
    // A request that failed at the fixed rate taints the row as one in the rounds does.
    return sameRate ? { ...row, sameRate, failures: row.failures + sameRate.samples.reduce((sum, s) => sum + s.failures, 0) } : row;
  });
}

/** The fixed-rate runs: as many as the rounds, at most SAME_RATE_RUNS, servers alternating. */
const SAME_RATE_RUNS = 3;

async function runAtSameRate(scenario: Scenario, setting: NonNullable<Scenario['sameRate']>, running: Map<string, Running>, load: LoadSettings, options: BenchOptions): Promise<void> {
  const rate = Math.floor(setting.share * (median(running.get(setting.of)!.samples.map((s) => s.requestsPerSecond)) ?? 0));
  if (rate < 1) return;
  const samples = new Map<string, RunSample[]>([...running.keys()].map((key) => [key, []]));
  for (let run = 1; run <= Math.min(options.rounds, SAME_RATE_RUNS); run++) {
    for (const [key, entry] of running) {
      const sample = await measure(entry.server, entry.source, { ...load, rate }, run, rate);
      samples.get(key)!.push(sample);
      const label = scenario.variants.find((variant) => variant.key === key)?.label ?? key;
      progress(`${scenario.name} at ${rate} req/s, run ${run}: ${label} p99 ${sample.p99Ms} ms${sample.failures ? `, ${sample.failures} failed` : ''}`);
    }
  }
  for (const [key, list] of samples) running.get(key)!.sameRate = summariseSameRate(rate, list);
}

function readPrevious(file: string): Results | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!existsSync(join(REPO_ROOT, 'dist/engine/cli/main.js'))) throw new Error('no build: run `npm run bench`, which builds first');
  const workDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const logsDir = join(RESULTS_DIR, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const profileDir = options.profile ? join(RESULTS_DIR, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // The machine's load when the run began: other work on it skews absolute figures (less the ratios).
  const loadBefore = loadavg()[0]!;
  try {
    const keys = Object.fromEntries(await Promise.all(ALGORITHMS.map(async (alg) => [alg, await makeSigningKey(alg, workDir)]))) as Record<Algorithm, SigningKey>;
    const ctx: BenchContext = {
      workDir, logsDir, keys,
      clientKey: await makeSigningKey('ES256', mkdtempSync(join(workDir, 'client-'))),
      secrets: makeSecrets(),
      hasWorkersFlag: serveHasWorkersFlag(),
      duration: options.duration,
      ...(profileDir ? { profileDir } : {}),
    };
    const rows: Row[] = [];
    const broken: string[] = [];
    for (const scenario of scenarios(ctx, options.only)) {
      try {
        rows.push(...(await runScenario(scenario, options)));
      } catch (error) {
        // Loud (the message, exit 1), but the other scenarios' figures are still reported.
        progress(`bench: ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
        broken.push(scenario.name);
        rows.push(...scenario.variants.map((variant): Row => ({ scenario: scenario.name, variant: variant.key, label: variant.label, note: 'failed (see above)', failures: 0, samples: [] })));
      }
    }

    const latestFile = join(RESULTS_DIR, 'latest.json');
    const previous = readPrevious(latestFile);
    const results: Results = {
      version: 1,
      date: new Date().toISOString(),
      commit: gitCommit(),
      machine: { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}`, loadAverage: [loadBefore, loadavg()[0]!] },
      options: recordedOptions(options),
      rows,
    };
    if (previous) renameSync(latestFile, join(RESULTS_DIR, 'previous.json'));
    writeFileSync(latestFile, JSON.stringify(results, null, 2) + '\n');

    const { machine } = results;
    process.stdout.write(`\n${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverage.map((l) => l.toFixed(1)).join(' → ')}; ${options.rounds} rounds × ${options.duration} s, ${options.connections} connections${options.profile ? '; profiled (CPU figures and ratios not comparable with a plain run)' : ''}; commit ${results.commit ?? '?'}\n\n`);
    process.stdout.write(formatTable(rows, compareWithPrevious(rows, previous?.rows)) + '\n');
    if (previous) process.stdout.write(`\nvs previous: ${previous.date}${JSON.stringify(previous.options) === JSON.stringify(results.options) ? '' : ' (other options: ' + JSON.stringify(previous.options) + ')'}\n`);
    process.stdout.write(`results: ${latestFile}\n`);
    if (broken.length > 0) process.stderr.write(`bench: not measured: ${broken.join(', ')}\n`);
    const failed = rows.filter((row) => row.failures > 0);
    if (broken.length > 0) return 1;
    if (failed.length > 0) {
      process.stderr.write(`bench: requests failed in ${failed.map((row) => `${row.scenario}/${row.label}`).join(', ')}; see bench/results/logs/\n`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then((code) => (process.exitCode = code), (error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
