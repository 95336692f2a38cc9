/**
 * A reload's first half: the new config loaded, checked and compiled to the side, by the
 * same load as at start (so `check`, start-up and reload agree), while the running engine
 * keeps serving. Nothing here touches what serves; the swap is the Reloader's.
 *
 * What carries over from the running engine:
 * - the store, when the `store` section is unchanged (used assertion ids, revocations,
 *   rate counters and cached tokens stay); a changed one is made anew and must answer
 *   before the swap, as at start;
 * - `generated` keys, through the process's generateKey (cluster/handed-keys.ts): tokens
 *   already issued keep verifying;
 * - the logger and the client authenticator (its cache of verified secrets, its KDF bounds);
 * - the listener's settings (server-settings.ts): when the new config changes them, it is
 *   loaded again with the running ones, so that the engine agrees with what listens (the
 *   default issuer is made of host and port).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Engine } from '../engine.js';
import { loadConfigFile, loadConfigText, type LoadOptions, type LoadResult } from '../load.js';
import { DEFAULT_START_TIMEOUT, describeStore } from '../store/config.js';
import { waitForStore } from '../store/wait.js';
import { changedServerSettings, listenerSettings, routesMoved } from './server-settings.js';

export interface ReloadSource {
  readonly file: string;
  /** The config text (a worker gets the one its primary checked); default: read `file`. */
  readonly text?: string;
  /** This process's own load options: command-line `server` overrides, generateKey, a worker's IPC store. */
  readonly options: LoadOptions;
}

export interface Ready {
  readonly ok: true;
  readonly engine: Engine;
  /** The files the new config reads (for --watch). */
  readonly files: readonly string[];
  /** Its warnings, as `check` gives them. */
  readonly warnings: readonly Diagnostic[];
  /** `server.*` settings the new config changes, kept as they are until a restart. */
  readonly keptSettings: readonly string[];
  /** The new issuer moves the routes (no base_path): they stay where they are until a restart. */
  readonly routesMoved: boolean;
}

export interface Refused {
  readonly ok: false;
  readonly files: readonly string[];
  /** The errors, as `check` gives them (FILE:LINE:COL). */
  readonly diagnostics: readonly Diagnostic[];
  /** Why, when it is no config error (a new store that does not answer). */
  readonly reason?: string;
}

export type Prepared = Ready | Refused;

export async function prepareReload(running: Engine, source: ReloadSource): Promise<Prepared> {
  const options: LoadOptions = {
    ...source.options,
    logger: running.logger,
    authenticator: running.authenticator,
    // Counters carry on across the swap (engine-metrics.ts).
    ...(running.metrics ? { metrics: running.metrics.process } : {}),
    ...(source.options.store ? {} : { runningStore: { config: running.config.store, store: running.verifyContext.store } }),
  };
  let result = await load(source, options);
  if (!result.engine) return refused(result);
  const keptSettings = changedServerSettings(running, result.engine);
  if (keptSettings.length > 0) {
    await closeUnused(result.engine, running);
    result = await load(source, { ...options, server: { ...source.options.server, ...listenerSettings(running) } });
    if (!result.engine) return refused(result);
  }
  const engine = result.engine;
  const store = engine.verifyContext.store;
  if (store !== running.verifyContext.store) {
    const timeout = engine.config.store.start_timeout ?? DEFAULT_START_TIMEOUT;
    const unreachable = await waitForStore(store, running.logger, timeout);
    if (unreachable !== undefined) {
      await store.close?.();
      return { ok: false, files: result.files, diagnostics: [], reason: `the new store (${describeStore(engine.config.store)}) did not answer within ${timeout} s: ${unreachable}` };
    }
  }
  // As at start (serve-engine.ts): rotated keys' state times and managed keys come from the
  // store before the engine serves; a managed key sealed under another encryption_key refuses.
  try {
    await engine.keysReady();
  } catch (error) {
    await closeUnused(engine, running);
    return { ok: false, files: result.files, diagnostics: [], reason: (error as Error).message };
  }
  return { ok: true, engine, files: result.files, warnings: result.diagnostics, keptSettings, routesMoved: routesMoved(running, engine) };
}

function load(source: ReloadSource, options: LoadOptions): Promise<LoadResult> {
  return source.text === undefined ? loadConfigFile(source.file, options) : loadConfigText(source.file, source.text, options);
}

function refused(result: LoadResult): Refused {
  return { ok: false, files: result.files, diagnostics: result.diagnostics.filter((d) => d.severity === 'error') };
}

/** An engine that will not serve: its store, when it made one of its own (it never connected). */
async function closeUnused(engine: Engine, running: Engine): Promise<void> {
  if (engine.verifyContext.store !== running.verifyContext.store) await engine.verifyContext.store.close?.();
}
