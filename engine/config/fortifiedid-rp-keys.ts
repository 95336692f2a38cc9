/**
 * FortifiedID's relying-party keys that Sluice does not take, each with what to do
 * instead: one table for `check` and `sluice import fortifiedid`. The keys that mean the
 * same in both (FORTIFIEDID_SAME_RP_KEYS) are Sluice keys and not listed. Source:
 * FortifiedID's "Relying Party" page (see
 * notes/fortifiedid-research.md, section 5.4); nothing here is guessed beyond it.
 *
 * `ignored`: the key belongs to end-user flows (authorization code, ID tokens, logout),
 * which a machine-to-machine server never runs; dropping it changes nothing, so check
 * warns and the config loads. Otherwise dropping it would change what tokens say or who
 * may get them, so it is an error until moved where Sluice takes it.
 */
import type { DiagnosticSink } from '../diagnostics.js';

export interface FortifiedIdKeyAdvice {
  readonly ignored: boolean;
  readonly advice: string;
}

/** The RP keys that mean the same in both: `sluice import fortifiedid` carries these over as they are. */
export const FORTIFIEDID_SAME_RP_KEYS = ['client_id', 'client_secret', 'client_credentials_pipe_id'] as const;

const M2M_ONLY = 'Sluice serves machine-to-machine clients only (no authorization code flow, ID tokens or logout)';

export const FORTIFIEDID_RP_KEYS: Readonly<Record<string, FortifiedIdKeyAdvice>> = {
  redirect_uri: { ignored: true, advice: `${M2M_ONLY}: there is no redirect; remove it` },
  post_logout_redirect_uris: { ignored: true, advice: `${M2M_ONLY}: there is no logout; remove it` },
  id_token_headers: { ignored: true, advice: `${M2M_ONLY}: no ID token is issued; remove it` },
  id_token_claims: { ignored: true, advice: `${M2M_ONLY}: no ID token is issued; remove it` },
  userinfo_claims: { ignored: false, advice: "/userinfo answers the token's own claims: put the claims in the token (CreateJwt jwt_claims, or ClaimsSet in the pipe)" },
  userinfo_pipe_id: { ignored: false, advice: "/userinfo answers the token's own claims and runs no pipe: compute them in the client_credentials pipe" },
  refresh_token_persist_pipe_id: { ignored: true, advice: 'no refresh tokens are issued (client_credentials clients ask again, RFC 6749 section 4.4.3); remove it' },
  refresh_token_resolve_pipe_id: { ignored: true, advice: 'no refresh tokens are issued (client_credentials clients ask again, RFC 6749 section 4.4.3); remove it' },
  pipe_id: { ignored: false, advice: 'it runs after a user logs in, which never happens here: the token pipe is client_credentials_pipe_id (or grant_pipes)' },
  access_token_headers: { ignored: false, advice: 'token headers are set by the pipe: CreateJwt jwt_headers' },
  access_token_claims: { ignored: false, advice: "token claims are set by the pipe: CreateJwt jwt_claims (per client: ${client.attributes.…} with this client's attributes)" },
  app_tag: { ignored: false, advice: "free-form client data goes under attributes (read as ${client.attributes.…})" },
  authorization: { ignored: false, advice: 'authorization runs in the token pipe: AssertValue, FlowFail with exec_if, or PipeCall to a shared pipe' },
};

/**
 * Report each FortifiedID key of an RP with its advice, and take it out of the config the
 * schema then validates (the advice replaces the schema's "unknown key").
 */
export function checkFortifiedIdRpKeys(rps: unknown, sink: DiagnosticSink): void {
  if (!Array.isArray(rps)) return;
  rps.forEach((rp: unknown, i) => {
    if (rp === null || typeof rp !== 'object' || Array.isArray(rp)) return;
    for (const key of Object.keys(rp)) {
      if (!Object.hasOwn(FORTIFIEDID_RP_KEYS, key)) continue;
      const { ignored, advice } = FORTIFIEDID_RP_KEYS[key]!;
      const message = `'${key}' is FortifiedID's; ${advice}${ignored ? ' (ignored)' : ''}`;
      sink.add('schema', message, ['rps', i, key], { atKey: true, severity: ignored ? 'warning' : 'error' });
      delete (rp as Record<string, unknown>)[key];
    }
  });
}
