/** `sluice check [FILE | -c FILE] [--json]`: exit 0 valid, 1 invalid, 2 usage error. */
import { formatDiagnostic } from '../diagnostics.js';
import type { Engine } from '../engine.js';
import { loadConfigFile } from '../load.js';
import { createLogger } from '../logger.js';
import { chooseConfig, fallbackNote } from './config-file.js';
import { parse } from './usage.js';

export async function check(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } }, true);
  const { file, fellBack } = chooseConfig(values.config, positionals);
  if (fellBack) process.stderr.write(fallbackNote('checking'));
  const { diagnostics, engine } = await loadConfigFile(file, { logger: createLogger('silent') });
  const valid = engine !== undefined;
  if (values.json) {
    process.stdout.write(JSON.stringify({ file, valid, diagnostics }, null, 2) + '\n');
  } else {
    for (const d of diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
    if (engine) process.stdout.write(validSummary(file, engine) + '\n');
  }
  return valid ? 0 : 1;
}

/** The line `check` ends a valid config with: FILE: valid (n clients, n pipes, n keystores). */
export function validSummary(file: string, engine: Engine): string {
  const counts = [count(engine.clients.size, 'client'), count(engine.config.pipes.length, 'pipe'), count(engine.keystores.size, 'keystore')];
  return `${file}: valid (${counts.join(', ')})`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
