/** `sluice diff`: what a reload from one loaded config to another would change. */
import { diffClients } from './clients.js';
import { diffKeys, diffSigning } from './keys.js';
import { diffPipes } from './pipes.js';
import { diffSettings, diffTrustedIssuers } from './settings.js';
import type { ConfigDiff, LoadedConfig } from './types.js';

export { formatDiff } from './format.js';
export type { ConfigDiff, LoadedConfig } from './types.js';

export function diffConfigs(before: LoadedConfig, after: LoadedConfig): ConfigDiff {
  const rps = diffClients(before.engine, after.engine);
  const pipes = diffPipes(before.engine, after.engine);
  const keys = diffKeys(before, after);
  const signing = diffSigning(before, after);
  const trusted_issuers = diffTrustedIssuers(before.engine, after.engine);
  const settings = diffSettings(before.engine, after.engine);
  const lists = [rps.added, rps.removed, rps.changed, pipes.added, pipes.removed, pipes.changed, keys.published, keys.retired, keys.replaced, keys.generated, signing, trusted_issuers.added, trusted_issuers.removed, trusted_issuers.changed, settings];
  return { old: before.file, new: after.file, changed: lists.some((l) => l.length > 0), rps, pipes, keys, signing, trusted_issuers, settings };
}
