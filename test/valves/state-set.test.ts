/**
 * StateSet: values written into the flow state, each by name or as one object under dest,
 * read later by `${state.…}`; check follows what it writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';
import { diagnosticsOf, ENV, flowConfig, GOLD, GRANT } from './flow-config.js';

const PIPES = `
  - id: main
    valves:
      - name: StateSet
        config:
          values: { region: "\${client.attributes.regions.0}", fixed: { a: 1 } }
      - name: StateSet
        config:
          dest: tenancy
          values: { tenant: "\${client.attributes.tenant}", tier: "\${client.attributes.tier}" }
      - name: CreateJwt
        config:
          keystore: signing
          jwt_claims: { region: "\${state.region}", fixed: "\${state.fixed}", tenant: "\${state.tenancy.tenant}", tier: "\${item.tenancy.tier}" }
      - name: TokenResponse
`;

describe('StateSet', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(flowConfig(PIPES), { env: ENV });
  });
  afterAll(() => s.close());

  it('later valves read its values by name, and under dest', async () => {
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload).toMatchObject({ region: 'eu-west', fixed: { a: 1 }, tenant: 'acme', tier: 'gold' });
  });

  it('check knows what it writes: no warning about unwritten state', async () => {
    const { errors, warnings } = await diagnosticsOf(flowConfig(PIPES));
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => w.code === 'unknown_reference')).toEqual([]);
  });
});

describe('StateSet: check', () => {
  it('warns, at the value, when it copies what the caller sends', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: StateSet
        config: { values: { who: "\${request.params.who}" } }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
    const { engine, warnings } = await diagnosticsOf(yaml);
    expect(engine).toBeDefined();
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"${request.params.who}"') }));
  });

  it('refuses a name that is not one, at the key', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: StateSet
        config: { values: { "a.b": x } }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
    const { errors } = await diagnosticsOf(yaml);
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"a.b"') })]);
  });

  it('a later ${state.X} that no StateSet writes is still a warning with a did-you-mean', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: StateSet
        config: { values: { region: x } }
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { r: "\${state.regoin}" } }
      - name: TokenResponse
`);
    const { warnings } = await diagnosticsOf(yaml);
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'unknown_reference', message: expect.stringContaining("'region'") }));
  });
});
