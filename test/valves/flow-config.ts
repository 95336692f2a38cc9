/**
 * A config for the flow-control valve tests (AssertValue, FlowFail, ClaimsSet, StateSet,
 * PipeCall): two clients on the pipe `main`, with attributes to test against, and the
 * `pipes:` section as given.
 */
import { basic, load } from '../helpers/sluice.js';

export const ENV = { SVC_SECRET: 'svc-secret-0123456789' };
export const GOLD = { authorization: basic('gold', ENV.SVC_SECRET) };
export const BRONZE = { authorization: basic('bronze', ENV.SVC_SECRET) };
export const GRANT = { grant_type: 'client_credentials' };

export function flowConfig(pipes: string): string {
  return `
issuer: http://127.0.0.1:8080
keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: gold
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    audiences: [https://api.example.com]
    client_credentials_pipe_id: main
    attributes: { tier: gold, tenant: acme, regions: [eu-west, eu-north], service_sub: "svc:gold" }
  - client_id: bronze
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: main
    attributes: { tier: bronze, tenant: bronze-co, regions: [], service_sub: "svc:bronze" }
pipes:
${pipes.replace(/^\n/, '')}`;
}

/** Load a config and sort what it says, the generated keystore's development warning left out. */
export async function diagnosticsOf(yaml: string) {
  const { engine, diagnostics } = await load(yaml, { env: ENV });
  const relevant = diagnostics.filter((d) => d.code !== 'keystore_invalid');
  return { engine, errors: relevant.filter((d) => d.severity === 'error'), warnings: relevant.filter((d) => d.severity === 'warning') };
}
