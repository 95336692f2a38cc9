/**
 * How a reload is told. A refused config is told as `check` tells it: each error on stderr
 * as FILE:LINE:COL, and in the JSON log (event `reload_failed`) with file, line, col, code
 * and message; the previous config keeps serving. A success is one `reloaded` line.
 */
import type { Logger } from 'pino';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { ReloadReport } from './reloader.js';

const located = (d: Diagnostic) => ({ file: d.file, line: d.line, col: d.col, code: d.code, message: d.message });

export function logReload(logger: Logger, report: ReloadReport, extra: Readonly<Record<string, unknown>> = {}): void {
  if (report.outcome === 'failure') {
    const diagnostics = report.diagnostics ?? [];
    for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    if (report.reason !== undefined) process.stderr.write(`sluice: reload refused: ${report.reason}\n`);
    logger.error(
      { event: 'reload_failed', trigger: report.trigger, errors: diagnostics.length, diagnostics: diagnostics.map(located), ...(report.reason === undefined ? {} : { reason: report.reason }), ...extra },
      'the new config is refused; the previous one keeps serving',
    );
    return;
  }
  for (const d of report.warnings ?? []) logger.warn({ event: 'config_warning', file: d.file, line: d.line, col: d.col, code: d.code }, d.message);
  if (report.needsRestart && report.needsRestart.length > 0) {
    logger.warn({ event: 'reload_needs_restart', settings: report.needsRestart }, `changed, but applied only by a restart: ${report.needsRestart.join(', ')}; the running values are kept`);
  }
  logger.info({ event: 'reloaded', trigger: report.trigger, ...report.summary, ...extra }, 'config reloaded');
}
