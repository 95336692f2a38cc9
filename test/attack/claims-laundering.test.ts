/**
 * Attack review (issue 12), fixed: CreateJwt and ClaimsSet refuse an identity claim (sub,
 * aud, client_id, scope …) taken from what the caller sends, and a copy does not launder
 * it. A StateSet or ClaimsSet that fills state or claims from the request declares so
 * (fillsFromCaller), `sluice check` follows those paths down the pipe (engine/caller-chosen.ts),
 * and `${state.…}`, `${item.…}`, `${items[0].…}` or `${claims.…}` read from them is the caller's choice:
 * refused at the template as an identity claim, a warning for any other claim.
 */
import { describe, expect, it } from 'vitest';
import { basic, load, postToken, serve } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';

const S = 'laundering-secret-0123456789';

function pipeConfig(valves: string): string {
  return `
issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: c, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: p, attributes: { x: svc-c } }
  - { client_id: d, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: helper }
pipes:
  - id: p
    valves:
${valves.trim().split('\n').map((l) => `      ${l}`).join('\n')}
      - name: TokenResponse
  - id: helper
    valves:
      - name: StateSet
        config: { values: { who: "\${request.params.user}" } }
`;
}

const viaState = pipeConfig(`
- name: StateSet
  config: { values: { who: "\${request.params.user}" } }
- name: ScopeCheck
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { sub: "\${state.who}" } }
`);

async function diagnosticsOf(yaml: string) {
  const { engine, diagnostics } = await load(yaml, { env: { S } });
  const relevant = diagnostics.filter((d) => d.code !== 'keystore_invalid');
  return { engine, errors: relevant.filter((d) => d.severity === 'error'), warnings: relevant.filter((d) => d.severity === 'warning') };
}

/** The config does not load, and its only errors point at `needle`, the laundered template. */
async function expectRefusedAt(yaml: string, needle: string): Promise<void> {
  const { engine, errors } = await diagnosticsOf(yaml);
  expect(engine).toBeUndefined();
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) expect(e).toMatchObject({ code: 'valve_config', ...positionOf(yaml, needle) });
}

describe('identity claims laundered through state or claims (attack review)', () => {
  it('check refuses sub from a state value a StateSet copied from the request; nothing serves', async () => {
    await expectRefusedAt(viaState, '"${state.who}"');
    await expect(serve(viaState, { env: { S } })).rejects.toThrow(/config did not load/);
  });

  it('refuses it read as ${item.…}, FortifiedID\'s name for state', async () => {
    await expectRefusedAt(pipeConfig(`
- name: StateSet
  config: { values: { who: "\${request.params.user}" } }
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { client_id: "\${item.who}" } }
`), '"${item.who}"');
  });

  it("refuses it read through FortifiedID's items list, in every spelling that reaches state", async () => {
    const reads = [
      ['sub', '${items[0].who}'], ['sub', '${items.0.who}'], ['sub', "${items[0]['who']}"],
      ['sub', '${items[0][client.attributes.x]}'], ['cnf', '${items[0]}'], ['cnf', '${items}'],
    ];
    for (const [claim, read] of reads) {
      await expectRefusedAt(pipeConfig(`
- name: StateSet
  config: { values: { who: "\${request.params.user}" } }
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { ${claim}: "${read}" } }
`), `"${read}"`);
    }
  });

  it('refuses a claim a ClaimsSet took from the request, read back by a later ClaimsSet as ${claims.…}', async () => {
    const yaml = pipeConfig(`
- name: ClaimsSet
  config: { claims: { foo: "\${request.params.x}" } }
- name: ClaimsSet
  config: { claims: { sub: "\${claims.foo}" } }
- name: CreateJwt
  config: { keystore: signing }
`);
    const { engine, errors, warnings } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"${claims.foo}"') })]);
    // The copy itself stays a warning, as before: foo is not an identity claim.
    expect(warnings).toContainEqual(expect.objectContaining({ ...positionOf(yaml, '"${request.params.x}"') }));
  });

  it('refuses it through a chain of copies (StateSet a <- request; StateSet b <- ${state.a}), and warns at each copy', async () => {
    const yaml = pipeConfig(`
- name: StateSet
  config: { values: { a: "\${request.params.user}" } }
- name: StateSet
  config: { values: { b: "id-\${state.a}" } }
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { aud: "\${state.b}" } }
`);
    await expectRefusedAt(yaml, '"${state.b}"');
    const { warnings } = await diagnosticsOf(yaml);
    expect(warnings).toContainEqual(expect.objectContaining({ ...positionOf(yaml, '"id-${state.a}"') }));
  });

  it('refuses it through the dest form (${state.DEST.NAME}) and through the whole dest object', async () => {
    const stateSet = `
- name: StateSet
  config: { dest: user, values: { name: "\${request.params.user}", kind: fixed } }`;
    await expectRefusedAt(pipeConfig(`${stateSet}
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { sub: "\${state.user.name}" } }
`), '"${state.user.name}"');
    await expectRefusedAt(pipeConfig(`${stateSet}
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { cnf: "\${state.user}" } }
`), '"${state.user}"');
  });

  it('refuses it filled by a pipe a PipeCall runs', async () => {
    await expectRefusedAt(pipeConfig(`
- name: PipeCall
  config: { pipe: helper }
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { sub: "\${state.who}" } }
`), '"${state.who}"');
  });

  it('refuses it in a called pipe whose caller filled state from the request before calling it', async () => {
    const yaml = pipeConfig(`
- name: StateSet
  config: { values: { who: "\${request.params.user}" } }
- name: PipeCall
  config: { pipe: issue }
`) + `  - id: issue
    valves:
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { sub: "\${state.who}" } }
      - name: TokenResponse
`;
    await expectRefusedAt(yaml, '"${state.who}"');
  });

  it('refuses the REQUESTED scope copied into state (JsonObjectCreate, StateSet) and read back as the scope claim; nothing serves it', async () => {
    // Attack (issue 13 review): without ScopeCheck, \${request.requested_scope} as scope is
    // refused, but a copy through state lost the taint and the token carried scope: [admin].
    for (const copy of [
      'JsonObjectCreate\n  config: { dest: x, src: { s: "${request.requested_scope}" } }',
      'StateSet\n  config: { dest: x, values: { s: "${request.requested_scope}" } }',
    ]) {
      const yaml = pipeConfig(`
- name: ${copy}
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { scope: "\${item.x.s}" } }
`);
      await expectRefusedAt(yaml, '"${item.x.s}"');
      await expect(serve(yaml, { env: { S } })).rejects.toThrow(/config did not load/);
    }
  });

  it('only warns for a claim that is not an identity claim; the config loads', async () => {
    const yaml = pipeConfig(`
- name: StateSet
  config: { values: { who: "\${request.params.user}" } }
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { requested_by: "\${state.who}" } }
`);
    const { engine, errors, warnings } = await diagnosticsOf(yaml);
    expect(engine).toBeDefined();
    expect(errors).toEqual([]);
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"${state.who}"') }));
  });

  it('control: state from a client attribute, or a state name the request fills only next to, stays trusted', async () => {
    const yaml = pipeConfig(`
- name: StateSet
  config: { values: { who: "\${client.attributes.x}", note: "\${request.params.note}" } }
- name: ScopeCheck
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { sub: "\${state.who}" } }
`);
    const { engine, errors, warnings } = await diagnosticsOf(yaml);
    expect(engine).toBeDefined();
    expect(errors).toEqual([]);
    expect(warnings).not.toContainEqual(expect.objectContaining({ ...positionOf(yaml, '"${state.who}"') }));
    const s = await serve(yaml, { env: { S } });
    try {
      const r = await postToken(s.url, { grant_type: 'client_credentials', user: 'admin', note: 'n' }, { authorization: basic('c', S) });
      expect(r.status).toBe(200);
      expect((await verifyToken(s.url, String(r.body.access_token))).payload.sub).toBe('svc-c');
    } finally {
      await s.close();
    }
  });

  it('control: a StateSet from the request AFTER CreateJwt does not taint it', async () => {
    const yaml = pipeConfig(`
- name: StateSet
  config: { values: { who: "\${client.attributes.x}" } }
- name: CreateJwt
  config: { keystore: signing, jwt_claims: { sub: "\${state.who}" } }
- name: StateSet
  config: { values: { who: "\${request.params.user}" } }
`);
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeDefined();
    expect(errors).toEqual([]);
  });
});
