/**
 * How RPs bind grant types to pipes (`client_credentials_pipe_id`, `grant_pipes`): every
 * grant type named is one the server knows, every pipe exists, and a public client
 * (`token_endpoint_auth_method: none`) binds only grants that a trusted issuer's token can
 * prove (client authentication optional), since nothing else could prove it.
 */
import type { DiagnosticSink } from '../diagnostics.js';
import { GRANT_TYPES, pipeFieldPath, pipeIdOf } from '../grants/index.js';
import type { Indexed } from './cross-refs.js';
import type { RpConfig } from './types.js';
import { closest } from './suggest.js';

const GRANTS = [...GRANT_TYPES.values()];
const GRANT_NAMES = [...GRANT_TYPES.keys()];

/** Every pipe id the RPs (valid or not) bind to a grant, for the "unused pipe" warning. */
export function boundPipeIds(rps: ReadonlyArray<unknown>): Set<string | undefined> {
  const ids = new Set<string | undefined>();
  for (const rp of rps) if (rp && typeof rp === 'object') for (const grant of GRANTS) ids.add(pipeIdOf(rp, grant));
  return ids;
}

export function checkGrantBindings(rps: ReadonlyArray<Indexed<RpConfig>>, pipeIds: readonly string[], sink: DiagnosticSink): void {
  const declared = new Set(pipeIds);
  for (const [rp, i] of rps) {
    for (const type of Object.keys(rp.grant_pipes ?? {})) {
      if (GRANT_TYPES.has(type)) continue;
      const hint = closest(type, GRANT_NAMES);
      sink.add('unknown_reference', `unknown grant type '${type}'${hint ? ` (did you mean '${hint}'?)` : `; grant types: ${GRANT_NAMES.join(', ')}`}`, ['rps', i, 'grant_pipes', type], { atKey: true });
    }
    for (const grant of GRANTS) {
      const pipeId = pipeIdOf(rp, grant);
      if (pipeId === undefined) continue;
      const path = ['rps', i, ...pipeFieldPath(rp, grant)];
      if (!declared.has(pipeId)) {
        const hint = closest(pipeId, pipeIds);
        sink.add('unknown_pipe', `unknown pipe '${pipeId}'${hint ? ` (did you mean '${hint}'?)` : `; pipes: ${pipeIds.join(', ') || 'none'}`}`, path);
      }
      if (rp.token_endpoint_auth_method === 'none' && grant.clientAuthentication === 'required') {
        sink.add('unknown_reference', `client '${rp.client_id}' authenticates with 'none', so nothing can prove it for ${grant.type}; give it a secret or keys, or bind only grants a trusted issuer's token proves`, path);
      }
    }
    // A resource server (introspection: true) need not ask for tokens itself.
    if (GRANTS.every((grant) => pipeIdOf(rp, grant) === undefined) && (rp as { introspection?: boolean }).introspection !== true) {
      sink.warn('unknown_pipe', `client '${rp.client_id}' has no pipe (client_credentials_pipe_id, grant_pipes): its token requests are refused`, ['rps', i]);
    }
  }
}

/**
 * A pipe bound to a grant that presents a token must verify it (VerifyAssertion): the
 * engine would refuse every request anyway, so say it at load.
 */
export function checkAssertionPipes(rps: ReadonlyArray<Indexed<RpConfig>>, pipes: ReadonlyMap<string, { readonly verifiesAssertion: boolean; readonly signsBeforeVerifying: boolean }>, sink: DiagnosticSink): void {
  for (const [rp, i] of rps) {
    for (const grant of GRANTS) {
      if (grant.clientAuthentication !== 'optional') continue;
      const pipe = pipes.get(pipeIdOf(rp, grant) ?? '');
      if (pipe?.verifiesAssertion && pipe.signsBeforeVerifying) {
        sink.add('valve_config', `pipe '${pipeIdOf(rp, grant)}' signs a token before it verifies the grant's token: put VerifyAssertion before CreateJwt`, ['rps', i, ...pipeFieldPath(rp, grant)]);
      }
      if (pipe && !pipe.verifiesAssertion) {
        sink.add('valve_config', `pipe '${pipeIdOf(rp, grant)}' answers ${grant.type} but has no enabled valve that verifies the grant's token (VerifyAssertion): every request would be refused`, ['rps', i, ...pipeFieldPath(rp, grant)]);
      }
    }
  }
}
