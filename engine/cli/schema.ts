/** `sluice schema [FILE | -c FILE]`: the config JSON Schema, with every valve's config schema. */
import { buildPublishedSchema } from '../config/published-schema.js';
import { formatDiagnostic } from '../diagnostics.js';
import { createRegistry, loadConfigFile } from '../load.js';
import { createLogger } from '../logger.js';
import { givenConfig } from './config-file.js';
import { parse } from './usage.js';

export async function schema(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: 'string', short: 'c' } }, true);
  // Unlike check and serve, no config means no plugins: the schema of the built-ins.
  const file = givenConfig(values.config, positionals);
  let registry = await createRegistry();
  if (file !== undefined) {
    // The config's plugins bring valves of their own; a config with errors still gives
    // its registry, as long as the plugins loaded.
    const result = await loadConfigFile(file, { logger: createLogger('silent') });
    const pluginErrors = result.diagnostics.filter((d) => d.code === 'plugin' || d.code === 'yaml_syntax' || d.code === 'file_unreadable');
    if (pluginErrors.length || !result.registry) {
      for (const d of pluginErrors.length ? pluginErrors : result.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      return 1;
    }
    registry = result.registry;
  }
  process.stdout.write(JSON.stringify(buildPublishedSchema(registry.all()), null, 2) + '\n');
  return 0;
}
