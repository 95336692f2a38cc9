/**
 * The CLI's checks without the process: each spawned `sluice` pays about a second of CPU to
 * start node and import the engine before it reads a line of config, while a config loads
 * in milliseconds. The CLI files keep one spawned test per behaviour (exit code, stdout and
 * stderr format, relative FILE echoed); the other cases of the same code path come through
 * here, through the functions `sluice check` and `sluice diff` call (loadConfigFile,
 * formatDiagnostic, diffConfigs, formatDiff), and print what those commands print.
 */
import { resolve } from 'node:path';
import { formatDiagnostic } from '../../engine/diagnostics.js';
import { validSummary } from '../../engine/cli/check.js';
import { diffConfigs, formatDiff, type LoadedConfig } from '../../engine/diff/index.js';
import { loadConfigFile, type LoadResult } from '../../engine/load.js';
import { createLogger } from '../../engine/logger.js';
import type { CheckJson, RunResult } from './cli.js';

export interface InProcessOptions {
  /** The directory a relative FILE is read from (default the process's). */
  cwd?: string;
  /** The whole environment `${env.…}` sees, as the CLI helpers' minimal one (default none). */
  env?: Record<string, string>;
}

/** `loadConfigFile` as the CLI calls it; a relative FILE is resolved against `cwd` and reported absolute. */
function load(file: string, options: InProcessOptions): Promise<LoadResult> {
  return loadConfigFile(resolve(options.cwd ?? '.', file), { logger: createLogger('silent'), env: options.env ?? {} });
}

function ran(code: number, stdout: string): RunResult {
  return { code, signal: null, stdout, stderr: '' };
}

/**
 * What `sluice check FILE` and `sluice check FILE --json` print and exit with (engine/cli/check.ts),
 * in the shape of checkBoth's result so that expectErrors asserts it unchanged. Pass an
 * absolute FILE: the diagnostics name the file as loaded.
 */
export async function checkInProcess(file: string, options: InProcessOptions = {}): Promise<{ text: RunResult; json: RunResult; report: CheckJson }> {
  const { diagnostics, engine } = await load(file, options);
  const valid = engine !== undefined;
  const code = valid ? 0 : 1;
  const report: CheckJson = JSON.parse(JSON.stringify({ file: resolve(options.cwd ?? '.', file), valid, diagnostics })) as CheckJson;
  const summary = engine ? `${validSummary(report.file, engine)}\n` : '';
  const text = diagnostics.map((d) => formatDiagnostic(d) + '\n').join('') + summary;
  return { text: ran(code, text), json: ran(code, JSON.stringify(report, null, 2) + '\n'), report };
}


export interface DiffRun {
  code: number;
  lines: string[];
  json: Record<string, any>;
  /** Everything printed (the text and the JSON), for "never printed" assertions. */
  stdout: string;
}

/** What `sluice diff OLD NEW` (lines) and `--json` (json) print and exit with, for two VALID configs (engine/cli/diff.ts). */
export async function diffInProcess(oldFile: string, newFile: string, options: InProcessOptions = {}): Promise<DiffRun> {
  const [before, after] = await Promise.all([loaded(oldFile, options), loaded(newFile, options)]);
  const result = diffConfigs(before, after);
  const text = result.changed ? formatDiff(result).join('\n') + '\n' : 'no changes\n';
  const json = JSON.stringify(result, null, 2) + '\n';
  return { code: result.changed ? 1 : 0, lines: text.split('\n').filter(Boolean), json: JSON.parse(json) as Record<string, any>, stdout: text + json };
}

async function loaded(file: string, options: InProcessOptions): Promise<LoadedConfig> {
  const { diagnostics, engine, keyUses } = await load(file, options);
  if (!engine) throw new Error(`${file} is not a valid config:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return { file, engine, keyUses: keyUses ?? [] };
}
