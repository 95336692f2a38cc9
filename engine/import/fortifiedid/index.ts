/**
 * `sluice import fortifiedid`: FortifiedID OIDC and pipes module configs → one Sluice
 * config, and the list of what did not come over (warnings at FILE:LINE:COL in the inputs).
 *
 * One Sluice config serves one issuer, and a FortifiedID OIDC module is one tenant: with
 * several, which one to import is the operator's choice (--tenant), never a silent pick.
 */
import { formatDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { createRegistry } from '../../load.js';
import { findModules, readInput, type FoundModule, type InputFile } from './modules.js';
import { reportLoadTimeReads } from './load-time-reads.js';
import { convertOidcModule } from './oidc.js';
import { renderConfig } from './output.js';
import { selectPipes } from './pipes.js';

export interface ImportOptions {
  /** Which OIDC module to import when there are several: its tenant_op_path or its module name. */
  readonly tenant?: string;
  /** Where the output goes (named in its header), when a file. */
  readonly outputName?: string;
}

export interface ImportResult {
  readonly diagnostics: Diagnostic[];
  /** The Sluice YAML; absent when nothing could be imported (exit 1). */
  readonly yaml?: string;
  /** No error, but no RP and no pipe came over. */
  readonly nothingUsable?: boolean;
  /** A --tenant that names no OIDC module: a usage error. */
  readonly usageError?: string;
}

export function importFortifiedId(files: readonly string[], options: ImportOptions = {}): ImportResult {
  const inputs: InputFile[] = [];
  const failures: Diagnostic[] = [];
  for (const file of files) {
    const read = readInput(file);
    if ('failure' in read) failures.push(read.failure);
    else inputs.push(read.input);
  }
  // A file that is not there or not JSON is a mistake to fix, not a part to skip.
  if (failures.length > 0) return { diagnostics: failures };

  const modules = inputs.flatMap(findModules);
  const diagnostics = (): Diagnostic[] => inputs.flatMap((i) => i.sink.sorted());
  const oidcModules = modules.filter((m) => m.oidc);
  const chosen = chooseTenant(oidcModules, options.tenant);
  if ('usageError' in chosen) return { diagnostics: diagnostics(), usageError: chosen.usageError };

  const registry = createRegistry();
  const selection = selectPipes(modules.filter((m) => m.pipes), registry);
  const carried = new Set(selection.pipes.map((p) => p.id as string));
  const oidc = chosen.module ? convertOidcModule(chosen.module, selection.leftOut, carried) : undefined;
  for (const module of modules) reportLoadTimeReads(module, module === chosen.module);
  const all = diagnostics();
  if (all.some((d) => d.severity === 'error')) return { diagnostics: all };
  if ((oidc?.rps.length ?? 0) === 0 && selection.pipes.length === 0) return { diagnostics: all, nothingUsable: true };
  return { diagnostics: all, yaml: renderConfig({ files, oidc, pipes: selection.pipes, notCarried: all.map(formatDiagnostic), outputName: options.outputName }) };
}

function tenantName(module: FoundModule, index: number): string {
  const path = module.config.tenant_op_path;
  if (typeof path === 'string' && path.replace(/^\/+|\/+$/g, '') !== '') return path.replace(/^\/+|\/+$/g, '');
  return module.name ?? `#${index + 1}`;
}

/**
 * The OIDC module to import. Several without --tenant: an error at each (nothing is
 * written); with --tenant, the others are reported as not carried over.
 */
function chooseTenant(modules: readonly FoundModule[], tenant: string | undefined): { module?: FoundModule } | { usageError: string } {
  const names = modules.map(tenantName);
  if (tenant === undefined) {
    if (modules.length <= 1) return { module: modules[0] };
    modules.forEach((m) =>
      m.input.sink.add('schema', `one of ${modules.length} OIDC modules (tenants: ${names.join(', ')}): choose one with --tenant NAME; a Sluice config serves one issuer`, m.path),
    );
    return {};
  }
  const index = names.indexOf(tenant);
  if (index < 0) return { usageError: `--tenant '${tenant}' names no OIDC module in the input (tenants: ${names.join(', ') || 'none'})` };
  modules.forEach((m, i) => {
    if (i !== index) m.input.sink.warn('schema', `tenant '${names[i]}' is not carried over (--tenant ${tenant}); import it with --tenant ${names[i]} into a config of its own`, m.path);
  });
  return { module: modules[index] };
}

