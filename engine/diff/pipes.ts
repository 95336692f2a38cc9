/**
 * Pipes added, removed and changed, by id, with the clients that use each. A changed
 * pipe says how: its valve list, or which valve's config, enabled or exec_if changed
 * (never the config's values: they may hold credentials, such as an upstream's token).
 */
import type { PipeConfig, ValveEntry } from '../config/types.js';
import type { Engine } from '../engine.js';
import { minus, same } from './same.js';
import type { ConfigDiff, PipeChange } from './types.js';

/** What a valve entry says besides its name; `description` changes nothing a reload applies. */
const VALVE_FIELDS = ['config', 'enabled', 'exec_if', 'exec_if_expr'] as const;

export function diffPipes(before: Engine, after: Engine): ConfigDiff['pipes'] {
  const old = pipesById(before);
  const now = pipesById(after);
  const summary = (engine: Engine) => (id: string) => ({ id, used_by: usedBy(engine, id) });
  const changed = [...now.keys()].filter((id) => old.has(id)).flatMap((id) => {
    const changes = pipeChanges(old.get(id)!, now.get(id)!);
    return changes.length > 0 ? [{ ...summary(after)(id), changes }] : [];
  });
  return {
    added: minus(now.keys(), old.keys()).map(summary(after)),
    removed: minus(old.keys(), now.keys()).map(summary(before)),
    changed,
  };
}

function pipesById(engine: Engine): Map<string, PipeConfig> {
  return new Map(engine.config.pipes.map((pipe) => [pipe.id, pipe]));
}

/** The clients bound to the pipe for some grant type. */
function usedBy(engine: Engine, pipeId: string): string[] {
  return [...engine.clients.values()].filter((c) => [...c.pipes.values()].some((p) => p.id === pipeId)).map((c) => c.client.client_id);
}

function pipeChanges(old: PipeConfig, now: PipeConfig): PipeChange[] {
  const from = old.valves.map((v) => v.name);
  const to = now.valves.map((v) => v.name);
  if (!same(from, to)) return [{ kind: 'valves', from, to }];
  return now.valves.flatMap((valve, i) => {
    const fields = VALVE_FIELDS.filter((f) => !same(valveField(old.valves[i]!, f), valveField(valve, f)));
    return fields.length > 0 ? [{ kind: 'valve' as const, position: i + 1, name: valve.name, fields }] : [];
  });
}

function valveField(valve: ValveEntry, name: (typeof VALVE_FIELDS)[number]): unknown {
  return valve[name];
}
