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
    // Says that the writer is late rather than offering the same name as a correction.
    expect(warnings[0]!.message).toContain("'later' is written only by a valve after");
    expect(warnings[0]!.message).not.toContain('did you mean');
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

describe('${state.X} in a pipe that PipeCall runs', () => {
  // Pipe `p` (the client's) writes `ctx`, then calls `enrich`, which reads it.
  const yaml = (extra = '', enrichUser = '') => `
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: p
${enrichUser}
pipes:
  - id: p
    valves:
      - name: StateSet
        config: { dest: ctx, values: { region: eu } }
      - name: PipeCall
        config: { pipe: enrich }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
  - id: enrich
    valves:
      - name: ClaimsSet
        config: { claims: { region: "\${state.ctx.region}" } }
${extra}`;

  it("is quiet when every caller writes it before the call", async () => {
    const { warnings, errors } = await diagnosticsOf(yaml());
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('warns when another caller calls the pipe without writing it', async () => {
    const text = yaml(`
  - id: other
    valves:
      - name: PipeCall
        config: { pipe: enrich }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse`, `
  - client_id: svc2
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: other`);
    const { warnings } = await diagnosticsOf(text);
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(text, '"${state.ctx.region}"') })]);
  });

  it('warns when a client also uses the called pipe directly', async () => {
    const text = yaml(`
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse`, `
  - client_id: svc2
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: enrich`);
    const { warnings } = await diagnosticsOf(text);
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(text, '"${state.ctx.region}"') })]);
  });
});
