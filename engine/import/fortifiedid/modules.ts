/**
 * Reading FortifiedID config files and finding their modules. FortifiedID's module
 * wrapper is not documented anywhere we could reach (notes/fortifiedid-research.md,
 * section 5.3), so these shapes are accepted, and a module is known by what it holds, not
 * by its name:
 *
 *   {"modules": [{"name": "OIDCModule", "config": {...}}, ...]}   a whole config
 *   [{"name": ..., "config": {...}}, ...]                          a list of modules
 *   {"name": ..., "config": {...}}                                 one module
 *   {"rps": [...], "discovery_meta": {...}} or {"pipes": [...]}    a bare module config
 *
 * A config with `rps` or `discovery_meta` is an OIDC module's; one with `pipes` a pipes
 * module's (one config may be both).
 */
import { readFileSync } from 'node:fs';
import type { ConfigPath } from '../../errors.js';
import { ConfigSource } from '../../config/source.js';
import { DiagnosticSink, type Diagnostic } from '../../diagnostics.js';

export type Json = Record<string, unknown>;

export function isMap(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One input file, parsed, with a sink that places problems at FILE:LINE:COL in it. */
export interface InputFile {
  readonly file: string;
  readonly source: ConfigSource;
  readonly sink: DiagnosticSink;
}

/** A module found in an input: its config and where that config is written. */
export interface FoundModule {
  readonly input: InputFile;
  readonly name: string | undefined;
  readonly config: Json;
  /** The path of `config` in its file. */
  readonly path: ConfigPath;
  readonly oidc: boolean;
  readonly pipes: boolean;
}

/** A file that could not be read or is not JSON: one error diagnostic. */
export type ReadResult = { input: InputFile } | { failure: Diagnostic };

export function readInput(file: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { failure: { file, line: 1, col: 1, severity: 'error', code: 'file_unreadable', message: `cannot read the file (${code})` } };
  }
  const syntax = jsonSyntaxError(file, text);
  if (syntax) return { failure: syntax };
  const source = new ConfigSource(file, text);
  // Valid JSON that the YAML reading still refuses: a duplicate key, a __proto__ key.
  const [problem] = source.syntaxErrors;
  if (problem) return { failure: { file, ...problem.position, severity: 'error', code: problem.code, message: problem.message } };
  return { input: { file, source, sink: new DiagnosticSink(source) } };
}

/**
 * The inputs are JSON (what FortifiedID reads); YAML's parser, which gives the positions,
 * would accept more, so strict JSON is checked first, and its error placed.
 */
function jsonSyntaxError(file: string, text: string): Diagnostic | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    // Node 20 says "... in JSON at position N", or "Unexpected end of JSON input".
    const offset = Number(/position (\d+)/.exec(message)?.[1] ?? text.length);
    const before = text.slice(0, offset).split('\n');
    return { file, line: before.length, col: before.at(-1)!.length + 1, severity: 'error', code: 'yaml_syntax', message: `invalid JSON: ${message.replace(/ in JSON at position \d+/, '')}` };
  }
}

/** The modules of one input, in the order written; what is not a module is reported. */
export function findModules(input: InputFile): FoundModule[] {
  const data = input.source.data;
  const found: FoundModule[] = [];
  const asModule = (value: unknown, path: ConfigPath): void => {
    if (isMap(value) && isMap(value.config)) {
      const name = typeof value.name === 'string' ? value.name : undefined;
      classify(input, value.config, [...path, 'config'], name, found);
    } else if (isMap(value) && isModuleConfig(value)) {
      classify(input, value, path, undefined, found);
    } else {
      input.sink.warn('schema', 'not a module ({name, config}): not carried over', path);
    }
  };
  if (Array.isArray(data)) data.forEach((m, i) => asModule(m, [i]));
  else if (isMap(data) && Array.isArray(data.modules)) data.modules.forEach((m: unknown, i) => asModule(m, ['modules', i]));
  else if (isMap(data) && (isMap(data.config) || isModuleConfig(data))) asModule(data, []);
  if (found.length === 0) input.sink.add('schema', 'no FortifiedID OIDC module (rps, discovery_meta) or pipes module (pipes) found', []);
  return found;
}

function isModuleConfig(value: Json): boolean {
  return ['rps', 'discovery_meta', 'pipes'].some((key) => Object.hasOwn(value, key));
}

/** Only a wrapped module ({name, config}) can be neither: a bare config was recognised by its keys. */
function classify(input: InputFile, config: Json, path: ConfigPath, name: string | undefined, found: FoundModule[]): void {
  const oidc = Object.hasOwn(config, 'rps') || Object.hasOwn(config, 'discovery_meta');
  const pipes = Object.hasOwn(config, 'pipes');
  if (oidc || pipes) found.push({ input, name, config, path, oidc, pipes });
  else input.sink.warn('schema', `module${name ? ` '${name}'` : ''} is neither an OIDC module (rps, discovery_meta) nor a pipes module (pipes): not carried over`, [...path.slice(0, -1), 'name']);
}
