/**
 * What `check` says about exec_if (loaded through the engine, positions asserted): the
 * wiring and attribute checks see inside it, a conditional answering valve is a warning,
 * a conditional authenticator is not the pipe's authenticator, and a plugin's own
 * expression errors point inside its config string.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';

const ENV = { env: { S: 'secret-0123456789abcdef' } };
const config = (valves: string, extra = '') => `${extra}keystores: [{ id: signing, type: generated }]
rps:
  - client_id: a
    client_secret: "\${env.S}"
    client_credentials_pipe_id: p
    attributes: { tier: gold }
pipes:
  - id: p
    valves:
${valves}`;
const TAIL = `      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
const found = async (yaml: string, files?: Record<string, string>) =>
  (await load(yaml, { ...ENV, ...(files ? { files } : {}) })).diagnostics.filter((d) => d.code !== 'keystore_invalid').map((d) => [d.severity, d.code, d.line, d.col, d.message]);

describe('exec_if in check', () => {
  it('a state dest no earlier valve writes is a warning at exec_if', async () => {
    expect(await found(config(`      - name: ScopeCheck
        exec_if: "state.acces_token == null"
${TAIL}`))).toEqual([['warning', 'unknown_reference', 11, 18, expect.stringMatching(/no enabled valve before 'ScopeCheck' writes 'acces_token'/)]]);
  });

  it('an attribute no client of the pipe has is a warning at exec_if', async () => {
    expect(await found(config(`      - name: ScopeCheck
        exec_if: client.attributes.tire == 'gold'
${TAIL}`))).toEqual([['warning', 'template', 11, 18, expect.stringMatching(/attribute 'tire' \(did you mean 'tier'\?\)/)]]);
  });

  it("exec_if_expr inside the valve's config (PhenixID's place) is an error at the key that says where it goes", async () => {
    expect(await found(config(`      - name: StateSet
        config: { values: { x: "1" }, exec_if_expr: "request.params.x == '1'" }
${TAIL}`))).toEqual([['error', 'schema', 11, 39, expect.stringMatching(/'exec_if_expr' belongs on the valve entry/)]]);
  });

  it("a method on request.scope (the granted scope as text: includes('admin') would match 'orders.admin') is an error pointing at grant.scope", async () => {
    for (const condition of ["request.scope.includes('admin')", "!request.scope.startsWith('orders')"]) {
      const problems = await found(config(`      - name: ScopeCheck
      - name: StateSet
        exec_if: "${condition}"
        config: { values: { x: "1" } }
${TAIL}`));
      expect(problems).toEqual([['error', 'expression', 12, 19 + condition.indexOf('request'), expect.stringMatching(/grant\.scope\.includes\('X'\)/)]]);
    }
    // The list forms stay exact membership and are accepted.
    expect(await found(config(`      - name: ScopeCheck
      - name: StateSet
        exec_if: "grant.scope.includes('admin') || request.requested_scope.includes('admin') || request.scope == 'admin'"
        config: { values: { x: "1" } }
${TAIL}`))).toEqual([]);
  });

  it('an unknown namespace is an error at its place, with a hint', async () => {
    expect(await found(config(`      - name: ScopeCheck
        exec_if: "!itme.pwdLastSet"
${TAIL}`))).toEqual([['error', 'expression', 11, 20, expect.stringMatching(/unknown namespace 'itme' \(did you mean 'item'\?\)/)]]);
  });

  it("FortifiedID's items[0].X is item.X for the wiring: a dest no earlier valve writes is the same warning", async () => {
    expect(await found(config(`      - name: ScopeCheck
        exec_if: "!items[0].pwdLastSet"
${TAIL}`))).toEqual([['warning', 'unknown_reference', 11, 18, expect.stringMatching(/no enabled valve before 'ScopeCheck' writes 'pwdLastSet'/)]]);
    expect(await found(config(`      - name: StateSet
        config: { values: { pwdLastSet: "\${client.attributes.tier}" } }
      - name: ScopeCheck
        exec_if: "items.len > 0 && !items[0].pwdLastSet"
${TAIL}`))).toEqual([]);
  });

  it('items[1] and request.exec are errors at their place, saying what to write', async () => {
    expect(await found(config(`      - name: ScopeCheck
        exec_if: "items[1].x == 'y'"
${TAIL}`))).toEqual([['error', 'expression', 11, 19, expect.stringMatching(/one item/)]]);
    expect(await found(config(`      - name: ScopeCheck
        exec_if: "request.exec === 'true'"
${TAIL}`))).toEqual([['error', 'expression', 11, 19, expect.stringMatching(/did you mean 'request\.params\.exec'/)]]);
  });

  it('a ${…} in exec_if is not a template: an error that says how to write it', async () => {
    expect(await found(config(`      - name: ScopeCheck
        exec_if: "\${env.MODE} == 'x'"
${TAIL}`))).toEqual([['error', 'expression', 11, 19, expect.stringMatching(/not \$\{request\.params\.x\}/)]]);
  });

  it('the only answering valve with exec_if is a warning at its exec_if', async () => {
    expect(await found(config(`      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
        exec_if: request.params.x == 'y'
`))).toEqual([['warning', 'valve_config', 13, 18, expect.stringMatching(/only valve that answers and it has a condition/)]]);
  });

  it('a conditional ClientAuthenticate is not the authenticator: the valves before it run after the engine authenticates', async () => {
    const { engine, diagnostics } = await load(config(`      - name: ScopeCheck
      - name: ClientAuthenticate
        exec_if: request.params.x == 'y'
${TAIL}`), ENV);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });

  it('a plugin compiling a bad expression from its config: an error inside that config string', async () => {
    const plugin = "export default { name: 'When', configSchema: { type: 'object' }, create(config, engine) { engine.compileExpression(config.when, { path: ['when'] }); return async function when(flow, next) { await next(); }; } };";
    expect(await found(config(`      - name: When
        config: { when: "request.parms.x" }
${TAIL}`, 'plugins: [./when.mjs]\n'), { 'when.mjs': plugin })).toEqual([['error', 'expression', 12, 26, expect.stringMatching(/did you mean 'params'/)]]);
  });

  it('load-time values in a template stand alone', async () => {
    expect(await found(config(`      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { x: "\${env.S || 'none'}" } }
      - name: TokenResponse
`))).toEqual([['error', 'template', 11, 58, expect.stringMatching(/must stand alone/)]]);
  });
});
