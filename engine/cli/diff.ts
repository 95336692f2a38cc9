/**
 * `sluice diff OLD NEW [--json]`: what a reload from OLD to NEW would change, before it is
 * applied. Both load as `check` loads them (nothing served, no store connected). Exit 0:
 * no change; 1: changes (as diff(1) does); 2: a usage error or an invalid config, whose
 * problems are printed as `check` prints them.
 */
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { diffConfigs, formatDiff, type LoadedConfig } from '../diff/index.js';
import { loadConfigFile } from '../load.js';
import { createLogger } from '../logger.js';
import { parse, UsageError } from './usage.js';

export async function diff(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 2) throw new UsageError('give two config files: OLD and NEW');
  const [oldFile, newFile] = positionals as [string, string];
  const [before, after] = await Promise.all([load(oldFile), load(newFile)]);
  if (!('engine' in before) || !('engine' in after)) {
    const diagnostics = [before, after].flatMap((l) => ('engine' in l ? [] : l.diagnostics));
    for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    if (values.json) process.stdout.write(JSON.stringify({ valid: false, diagnostics }, null, 2) + '\n');
    return 2;
  }
  const result = diffConfigs(before, after);
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else process.stdout.write(result.changed ? formatDiff(result).join('\n') + '\n' : 'no changes\n');
  return result.changed ? 1 : 0;
}

/** The config loaded, or its errors (warnings are `check`'s to tell). */
async function load(file: string): Promise<LoadedConfig | { diagnostics: Diagnostic[] }> {
  const { diagnostics, engine, keyUses } = await loadConfigFile(file, { logger: createLogger('silent') });
  if (!engine) return { diagnostics: diagnostics.filter((d) => d.severity === 'error') };
  return { file, engine, keyUses: keyUses ?? [] };
}
