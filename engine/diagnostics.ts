/**
 * A problem found in a config, located in its file. `sluice check` and `sluice serve`
 * print these the same way: `FILE:LINE:COL: error: MESSAGE`.
 */
import { ConfigError, type ConfigErrorCode, type ConfigPath } from './errors.js';
import type { ConfigSource } from './config/source.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  code: ConfigErrorCode;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/** Collects diagnostics against one source, turning config paths into positions. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private readonly silenced: ConfigPath[] = [];
  private readonly errorPaths: ConfigPath[] = [];

  constructor(private readonly source: ConfigSource) {}

  /**
   * Drop later reports at or below `path`: a value already reported (an unset env var)
   * would otherwise be reported again by the schema for being empty.
   */
  silence(path: ConfigPath): void {
    this.silenced.push(path);
  }

  /** `offset`: characters into the string at `path` (a column inside it, when the YAML spells it plainly). */
  add(code: ConfigErrorCode, message: string, path: ConfigPath, options: { atKey?: boolean; severity?: Severity; offset?: number } = {}): void {
    if (this.silenced.some((prefix) => startsWith(path, prefix))) return;
    if ((options.severity ?? 'error') === 'error') this.errorPaths.push(path);
    const { line, col } = this.source.locate(path, options.atKey, options.offset);
    const severity = options.severity ?? 'error';
    // A valve's check() and its create() may both report the same problem (a duration out of
    // range): the user needs it once.
    if (this.items.some((d) => d.line === line && d.col === col && d.severity === severity && d.message === message)) return;
    this.items.push({ file: this.source.file, line, col, severity, code, message });
  }

  warn(code: ConfigErrorCode, message: string, path: ConfigPath): void {
    this.add(code, message, path, { severity: 'warning' });
  }

  /** Record a ConfigError thrown by code that knew only a path relative to `base`. */
  addError(error: ConfigError, base: ConfigPath = []): void {
    this.add(error.code, error.message, [...base, ...error.path], { atKey: error.atKey, offset: error.offset });
  }

  /** Whether an error was reported at or below `path` (a valve's config, say). */
  hasErrorsUnder(path: ConfigPath): boolean {
    return [...this.errorPaths, ...this.silenced].some((p) => startsWith(p, path));
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.col - b.col);
  }
}

/** Whether `path` is `prefix` or lies below it. */
export function startsWith(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.every((s, i) => path[i] === s);
}
