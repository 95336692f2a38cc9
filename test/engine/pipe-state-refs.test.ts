/**
 * Pipe wiring after the new-user walkthrough (issue 9 follow-up, user 5 and L7):
 *  - `${state.X}` / `${item.X}` where no enabled valve before writes X is a warning with a
 *    did-you-mean (a typo of a dest made the claim silently disappear);
 *  - a `<<` key in a valve config is a plain key in YAML 1.2, not a merge: a warning at it.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

const config = (valves: string, globals = '') => `
${globals}
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    audiences: [https://api.example.com]
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
${valves.trim().split('\n').map((l) => `      ${l}`).join('\n')}
`;

async function diagnosticsOf(yaml: string) {
  const { engine, diagnostics } = await load(yaml, { env: ENV });
  const relevant = diagnostics.filter((d) => d.code !== 'keystore_invalid');
  return { engine, errors: relevant.filter((d) => d.severity === 'error'), warnings: relevant.filter((d) => d.severity === 'warning') };
}

describe('${state.X} that no valve before writes', () => {
  const pipe = (template: string, first = 'CreateJwt') => `
- name: ScopeCheck
- name: ${first}
  config: { keystore: signing }
- name: CreateJwt
  config: { keystore: signing, dest: second, jwt_claims: { inner: "${template}" } }
- name: TokenResponse`;

  it.each(['${state.acces_token}', '${item.acces_token.token}'])('warns at %s with a did-you-mean', async (template) => {
    const yaml = config(pipe(template));
    const { engine, errors, warnings } = await diagnosticsOf(yaml);
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(yaml, `"${template}"`) })]);
    expect(warnings[0]!.message).toContain("did you mean 'access_token'");
  });

  it('is quiet when an earlier valve writes it', async () => {
    const { warnings } = await diagnosticsOf(config(pipe('${state.access_token.token}')));
    expect(warnings).toEqual([]);
  });

  it('warns when the writer comes after the reader', async () => {
    const yaml = config(`
- name: ScopeCheck
- name: CreateJwt
  config: { keystore: signing, dest: second, jwt_claims: { inner: "\${state.later}" } }
- name: CreateJwt
  config: { keystore: signing, dest: later }
- name: TokenResponse
  config: { token: later }`);
    const { warnings } = await diagnosticsOf(yaml);
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(yaml, '"${state.later}"') })]);
  });
});

describe('YAML 1.1 merge keys in valve configs', () => {
  it('warns at the << key; the config still loads', async () => {
    const yaml = config(`
- name: ScopeCheck
- name: CreateJwt
  config:
    keystore: signing
    jwt_claims:
      <<: *defaults
      tenant: acme
- name: TokenResponse`, 'globals:\n  defaults: &defaults { region: eu }');
    const { engine, errors, warnings } = await diagnosticsOf(yaml);
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '<<: *defaults') })]);
  });
});
