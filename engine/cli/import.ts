/**
 * `sluice import fortifiedid FILE.json… [-o OUT [--force]] [--tenant NAME]`: exit 0 when a
 * config was written (warnings list what was left out), 1 when nothing could be (a file
 * unreadable or not JSON, no usable module), 2 usage error. The YAML goes to stdout or
 * OUT; the diagnostics to stderr, in `sluice check`'s FILE:LINE:COL format.
 */
import { writeFileSync } from 'node:fs';
import { formatDiagnostic } from '../diagnostics.js';
import { importFortifiedId } from '../import/fortifiedid/index.js';
import { parse, UsageError } from './usage.js';

export async function importConfig(args: string[]): Promise<number> {
  const [source, ...rest] = args;
  if (source !== 'fortifiedid') throw new UsageError(source ? `cannot import from '${source}' (only: fortifiedid)` : 'say what to import from: sluice import fortifiedid FILE.json');
  const { values, positionals } = parse(rest, { output: { type: 'string', short: 'o' }, force: { type: 'boolean' }, tenant: { type: 'string' } }, true);
  if (positionals.length === 0) throw new UsageError('give the FortifiedID config file(s): sluice import fortifiedid FILE.json [FILE.json…]');
  if (values.force && !values.output) throw new UsageError('--force is for -o FILE');

  const result = importFortifiedId(positionals, { tenant: values.tenant, outputName: values.output });
  for (const d of result.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (result.usageError) throw new UsageError(result.usageError);
  if (result.yaml === undefined) {
    if (result.nothingUsable) process.stderr.write('sluice: nothing could be carried over: no client_credentials RP and no pipe Sluice can run\n');
    return 1;
  }
  if (!values.output) {
    process.stdout.write(result.yaml);
    return 0;
  }
  try {
    // 'wx' refuses an existing file in the same call that creates it (no check-then-write race).
    writeFileSync(values.output, result.yaml, { flag: values.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(code === 'EEXIST' ? `sluice: ${values.output} exists; use --force to overwrite it\n` : `sluice: cannot write ${values.output} (${code ?? 'error'})\n`);
    return 1;
  }
  process.stderr.write(`sluice: wrote ${values.output}; review its header, then: sluice check ${values.output}\n`);
  return 0;
}
