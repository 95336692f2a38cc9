/**
 * Config file → Engine, through the load phases (engine/load/phases.ts). Problems are
 * collected as diagnostics at YAML positions; an Engine is built only when there are
 * none. `sluice check` and `sluice serve` both come through here, so they agree.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigSource } from './config/source.js';
import { DiagnosticSink, type Diagnostic } from './diagnostics.js';
import { Engine } from './engine.js';
import { LOAD_PHASES } from './load/phases.js';
import type { LoadOptions, LoadState } from './load/state.js';
import type { KeyUse } from './keystores/key-use.js';
import type { ValveRegistry } from './registry.js';
import { EngineMetrics } from './metrics/engine-metrics.js';

export { createRegistry } from './load/phases.js';
export type { LoadOptions } from './load/state.js';

export interface LoadResult {
  diagnostics: Diagnostic[];
  engine?: Engine;
  /** The valve registry, plugins included (for `sluice schema`). */
  registry?: ValveRegistry;
  /** The keystores each pipe signs with (for `sluice diff`). */
  keyUses?: readonly KeyUse[];
  /**
   * Every file this config reads, absolute: the config file, then `${file.…}` files and key
   * files (those that could not be read too: creating one may fix the config). Plugins are
   * code, imported once per process, and are not listed. `serve --watch` watches these.
   */
  files: string[];
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return configUnreadable(file, error);
  }
  return loadConfigText(file, text, options);
}

/** The config file could not be read (`error` from the read): the one diagnostic `check` gives. */
export function configUnreadable(file: string, error: unknown): LoadResult {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return { diagnostics: [{ file, line: 1, col: 1, severity: 'error', code: 'file_unreadable', message: `cannot read config file (${code})` }], files: [resolve(file)] };
}

export async function loadConfigText(file: string, text: string, options: LoadOptions = {}): Promise<LoadResult> {
  const source = new ConfigSource(file, text);
  const state: LoadState = {
    file,
    baseDir: dirname(resolve(file)),
    options,
    now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    source,
    sink: new DiagnosticSink(source),
    stopped: false,
    readFiles: new Set([resolve(file)]),
  };
  for (const phase of LOAD_PHASES) {
    await phase.run(state);
    if (state.stopped) break;
  }
  const diagnostics = state.sink.sorted();
  const registry = state.registry ? { registry: state.registry } : {};
  const files = [...state.readFiles];
  if (state.stopped || state.sink.hasErrors) return { diagnostics, files, ...registry };
  const engine = new Engine({
    config: state.config!,
    file,
    issuer: state.issuer!,
    keystores: state.keystores!,
    clients: state.clients!,
    authenticator: state.authenticator!,
    verifyContext: state.verifyContext!,
    logger: state.logger!,
    metrics: state.metrics && new EngineMetrics(state.metrics, state.keystores!),
  });
  return { diagnostics, engine, files, ...registry, keyUses: state.keyUses ?? [] };
}
