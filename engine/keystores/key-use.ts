/**
 * Which keystores sign for which pipe. A valve asks the engine for its keystore at load
 * (EngineServices.keystore / inlineKeystore, in create()): the pipe compiler hands each
 * pipe a view of the services that notes these requests. `check` then warns about a
 * signing key that resource servers cannot see (key-warnings.ts), and `sluice diff` tells
 * which pipe's signing key a reload changes.
 */
import type { PipeConfig } from '../config/types.js';
import type { ConfigPath } from '../errors.js';
import type { EngineServices } from '../plugin-api.js';
import type { Keystore } from './types.js';

export interface KeyUse {
  readonly pipe: string;
  readonly keystore: Keystore;
  /** Where the config names the keystore: the valve's `keystore` key (the pipe when no valve spells it so). */
  readonly at: ConfigPath;
}

/** `services` for the valves of one pipe, noting into `uses` each keystore they ask for. */
export function notingKeyUse(services: EngineServices, pipe: PipeConfig, pipeIndex: number, uses: KeyUse[]): EngineServices {
  const at = (matches: (keystore: unknown) => boolean, under: ConfigPath): ConfigPath => {
    const valve = pipe.valves.findIndex((v) => matches((v.config as { keystore?: unknown } | undefined)?.keystore));
    return valve < 0 ? ['pipes', pipeIndex] : ['pipes', pipeIndex, 'valves', valve, 'config', 'keystore', ...under];
  };
  return {
    ...services,
    keystore(id) {
      const keystore = services.keystore(id);
      if (keystore) uses.push({ pipe: pipe.id, keystore, at: at((k) => k === id, []) });
      return keystore;
    },
    async inlineKeystore(config) {
      const keystore = await services.inlineKeystore(config);
      uses.push({ pipe: pipe.id, keystore, at: at((k) => (k as { path?: unknown } | null)?.path === config.path, ['path']) });
      return keystore;
    },
  };
}
