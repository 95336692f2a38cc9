/**
 * FortifiedID writes a pipe as `{ id, config: { valves: [...] } }` (its token-endpoint
 * docs' client_credentials pipe); Sluice as `{ id, valves: [...] }`. Both are accepted, in
 * one file too: right after parsing, a FortifiedID pipe's valves are moved to `valves`, and
 * the source is told where they were written, so every later problem inside them still
 * points at the node in `config.valves`.
 */
import type { DiagnosticSink } from '../diagnostics.js';
import type { ConfigSource } from './source.js';

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `raw` with each `{id, config: {valves}}` pipe as `{id, valves}`; the document itself is left as written. */
export function normalizePipeShapes(raw: Record<string, unknown>, source: ConfigSource, sink: DiagnosticSink): Record<string, unknown> {
  if (!Array.isArray(raw.pipes)) return raw;
  const pipes = raw.pipes.map((pipe: unknown, i) => {
    if (!isMap(pipe) || !isMap(pipe.config) || !Object.hasOwn(pipe.config, 'valves')) return pipe; // the schema says what is wrong
    if (Object.hasOwn(pipe, 'valves')) {
      sink.add('schema', "a pipe's valves are given twice: keep either valves or config.valves (FortifiedID's form)", ['pipes', i, 'config'], { atKey: true });
      return pipe;
    }
    const { valves, ...rest } = pipe.config;
    const { config: _moved, ...flat } = pipe;
    source.alias(['pipes', i, 'valves'], ['pipes', i, 'config', 'valves']);
    // Anything else under config stays, for the schema to name at its own key.
    return Object.keys(rest).length > 0 ? { ...flat, config: rest, valves } : { ...flat, valves };
  });
  return { ...raw, pipes };
}
