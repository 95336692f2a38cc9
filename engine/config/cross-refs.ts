/**
 * Checks the schema cannot express: ids unique, references resolve, each client has the
 * credentials its auth method needs. Each problem points at the offending node.
 */
import type { DiagnosticSink } from '../diagnostics.js';
import type { ValveRegistry } from '../registry.js';
import { checkKeyGroups } from '../keystores/key-groups.js';
import type { KeystoreConfig } from '../keystores/types.js';
import type { PipeConfig, RpConfig } from './types.js';
import type { TrustedIssuerConfig } from '../trusted-issuers.js';
import { closest } from './suggest.js';
import { COMPUTED_METADATA } from './discovery-meta.js';
import { authMethod } from '../client-auth/methods/index.js';
import { boundPipeIds, checkGrantBindings } from './grant-refs.js';
import { calledPipeIds } from '../pipe-calls.js';
import { checkSecretFields } from '../client-auth/registered-secrets.js';

/** A config item with its index in the document (items the schema rejected are absent). */
export type Indexed<T> = readonly [item: T, index: number];

export interface CheckedSections {
  keystores: ReadonlyArray<Indexed<KeystoreConfig>>;
  rps: ReadonlyArray<Indexed<RpConfig>>;
  pipes: ReadonlyArray<Indexed<PipeConfig>>;
  trusted_issuers: ReadonlyArray<Indexed<TrustedIssuerConfig>>;
  /** Every pipe id the document declares, valid or not, so a broken pipe is not also "unknown". */
  declaredPipeIds: readonly string[];
  discoveryMeta: Readonly<Record<string, unknown>>;
}

function checkUnique<T>(items: ReadonlyArray<Indexed<T>>, key: keyof T & string, section: string, sink: DiagnosticSink): void {
  const seen = new Map<unknown, number>();
  for (const [item, i] of items) {
    const value = item[key];
    const first = seen.get(value);
    if (first !== undefined) sink.add('duplicate_id', `duplicate ${key} '${String(value)}' (also ${section}[${first}])`, [section, i, key]);
    else seen.set(value, i);
  }
}

export function checkCrossReferences(sections: CheckedSections, raw: Record<string, unknown>, registry: ValveRegistry, sink: DiagnosticSink, now: number): void {
  // Keystores may share an id: the keys of one rotation.
  checkKeyGroups(sections.keystores, now, sink);
  checkUnique(sections.pipes, 'id', 'pipes', sink);
  checkUnique(sections.rps, 'client_id', 'rps', sink);
  checkUnique(sections.trusted_issuers, 'id', 'trusted_issuers', sink);

  const pipeIds = sections.declaredPipeIds;
  const rawRps = (Array.isArray(raw.rps) ? raw.rps : []) as Array<Record<string, unknown> | undefined>;
  checkGrantBindings(sections.rps, pipeIds, sink);
  for (const [rp, i] of sections.rps) {
    const problem = authMethod(rp.token_endpoint_auth_method)?.registrationProblem(rp);
    if (problem) sink.add('schema', `client '${rp.client_id}' (${rp.token_endpoint_auth_method}) ${problem}`, ['rps', i]);
    if (rp.client_secret !== undefined && rp.client_secret_hash !== undefined) {
      sink.add('schema', 'give client_secret or client_secret_hash, not both', ['rps', i, 'client_secret_hash'], { atKey: true });
    }
    checkSecretFields(rp, rawRps[i], i, sink);
    const rawSecret = rawRps[i]?.client_secret;
    if (typeof rawSecret === 'string' && !rawSecret.includes('${')) {
      sink.warn('schema', 'client_secret is written in clear in the config; use ${env.NAME}, ${file.PATH} or client_secret_hash', ['rps', i, 'client_secret']);
    }
  }

  for (const [keystore, k] of sections.keystores) {
    if (keystore.type !== 'generated') continue;
    for (const key of ['path', 'password', 'alias'] as const) {
      if (keystore[key] !== undefined) sink.add('keystore_invalid', `a generated keystore takes no ${key}`, ['keystores', k, key], { atKey: true });
    }
  }

  // These describe the running server; a config that overrode them would publish a lie
  // that RFC 8414 §3.3 clients reject.
  for (const key of COMPUTED_METADATA) {
    if (Object.hasOwn(sections.discoveryMeta, key)) {
      sink.add('schema', `discovery_meta cannot set '${key}': it is computed from the config`, ['oidc', 'discovery_meta', key], { atKey: true });
    }
  }

  // Counting RPs the schema rejected too: their pipe is not unused, only their entry is wrong.
  const usedPipeIds = new Set([...boundPipeIds(rawRps), ...calledPipeIds(sections.pipes, registry)]);
  for (const [pipe, p] of sections.pipes) {
    if (usedPipeIds.has(pipe.id)) continue;
    sink.warn('unknown_pipe', `pipe '${pipe.id}' is used by no client (client_credentials_pipe_id, grant_pipes) and no PipeCall`, ['pipes', p, 'id']);
  }

  // A plugin that failed to load was reported, and stops the load; the valves it would have
  // provided are not also "unknown". A near miss of a known valve is still a typo to point out.
  const pluginFailed = sink.hasErrorsUnder(['plugins']);
  for (const [pipe, p] of sections.pipes) {
    pipe.valves.forEach((valve, v) => {
      if (registry.get(valve.name)) return;
      const className = classNameAdvice(valve.name, registry.names());
      if (className) {
        sink.add('unknown_valve', className, ['pipes', p, 'valves', v, 'name']);
        return;
      }
      const hint = closest(valve.name, registry.names());
      if (pluginFailed && !hint) return;
      sink.add('unknown_valve', `unknown valve '${valve.name}'${hint ? ` (did you mean '${hint}'?)` : `; valves: ${registry.names().join(', ')}`}`, ['pipes', p, 'valves', v, 'name']);
    });
  }
}

/**
 * FortifiedID lets `name` be a valve's alias or its fully qualified (Java) class name;
 * Sluice knows valves by name only. A class name gets the Sluice name its last part
 * suggests (`….CreateJwtValve` → CreateJwt), when there is one.
 */
export function classNameAdvice(name: string, known: readonly string[]): string | undefined {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(name)) return undefined;
  const last = name.slice(name.lastIndexOf('.') + 1).replace(/Valve$/, '');
  const match = known.find((k) => k.toLowerCase() === last.toLowerCase()) ?? closest(last, known);
  const advice = match ? `write name: ${match}` : `Sluice has no valve for it; valves: ${known.join(', ')}`;
  return `'${name}' is a class name: Sluice knows valves by name only (FortifiedID's alias); ${advice}`;
}
