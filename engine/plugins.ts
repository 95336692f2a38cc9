/**
 * Load the valve plugins listed under `plugins:`: ESM files (relative to the config file)
 * or package names. A module's default export is a valve definition or a list of them.
 * Their `import … from 'sluice'` gets this engine (plugin-module-hook.ts).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';
import { provideSluiceToPlugins } from './plugin-module-hook.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { ValveRegistry } from './registry.js';

function toImportUrl(spec: string, baseDir: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(baseDir, spec)).href;
  try {
    // A package is looked up from the config's directory, as a project would install it.
    return pathToFileURL(createRequire(join(baseDir, 'sluice.config.js')).resolve(spec)).href;
  } catch {
    return spec; // ESM-only packages: let import() resolve it from here
  }
}

/**
 * `plugins/team-claims.js` is a package name to Node (a package `plugins`); when a file of
 * that name sits beside the config, the author meant the file.
 */
function pathHint(spec: string, baseDir: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return '';
  try {
    return statSync(resolve(baseDir, spec)).isFile() ? ` (a path must start with ./ or ../: write './${spec}')` : '';
  } catch {
    return '';
  }
}

export async function loadPlugins(specs: readonly string[], baseDir: string, registry: ValveRegistry, sink: DiagnosticSink): Promise<void> {
  if (specs.length > 0) provideSluiceToPlugins();
  for (const [index, spec] of specs.entries()) {
    const path = ['plugins', index];
    let module: { default?: unknown };
    try {
      module = (await import(toImportUrl(spec, baseDir))) as { default?: unknown };
    } catch (error) {
      // Node names the importing file (ours) in the message; the user needs only their part.
      const reason = (describeThrown(error).split('\n')[0] ?? '').replace(/ imported from \S+$/, '');
      sink.add('plugin', `plugin '${spec}' failed to load: ${reason}${pathHint(spec, baseDir)}`, path);
      continue;
    }
    if (module.default === undefined) {
      sink.add('plugin', `plugin '${spec}' has no default export (export default defineValve({...}))`, path);
      continue;
    }
    for (const definition of [module.default].flat()) {
      try {
        registry.register(definition, `plugin '${spec}'`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        sink.addError(error, path);
      }
    }
  }
}

/** What a plugin threw, as text, whatever it threw (an Error, a string, 42). */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return `threw ${typeof error === 'string' ? JSON.stringify(error) : String(error)}`;
  } catch {
    return 'threw a value that cannot be shown';
  }
}
