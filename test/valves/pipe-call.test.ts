/**
 * PipeCall: another pipe's valves run on the same flow as one step (claims, state and
 * failures included), then the caller goes on. The callee may come later in the file. A
 * callee's authenticating valve never spares the caller the engine's authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';
import { BRONZE, diagnosticsOf, ENV, flowConfig, GOLD, GRANT } from './flow-config.js';

const PIPES = `
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: shared }
      - name: CreateJwt
        config:
          keystore: signing
          jwt_claims: { seen: "\${state.seen}" }
      - name: TokenResponse
  - id: shared
    valves:
      - name: AssertValue
        config: { value: "\${client.attributes.tier}", matches: gold, error: unauthorized_client }
      - name: PipeCall
        config: { pipe: enrich }
  - id: enrich
    valves:
      - name: ClaimsSet
        config: { claims: { tenant: "\${client.attributes.tenant}" } }
      - name: StateSet
        config: { values: { seen: enrich } }
`;

describe('PipeCall', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(flowConfig(PIPES), { env: ENV });
  });
  afterAll(() => s.close());

  it("runs the callee's valves (nested too), then goes on: their claims and state are in the token", async () => {
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload).toMatchObject({ tenant: 'acme', seen: 'enrich', client_id: 'gold' });
  });

  it("a callee's failure fails the flow with its error", async () => {
    const r = await postToken(s.url, GRANT, BRONZE);
    expect(r).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });

  it('wiring: the callee writes for the caller, so ${state.seen} is no warning', async () => {
    const { errors, warnings } = await diagnosticsOf(flowConfig(PIPES));
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => w.code === 'unknown_reference')).toEqual([]);
  });
});

describe('PipeCall: tokens and authentication in the callee', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(flowConfig(`
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: issue }
      - name: TokenResponse
        config: { token: inner }
  - id: issue
    valves:
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing, dest: inner }
`), { env: ENV });
  });
  afterAll(() => s.close());

  it("the caller answers with the token the callee issued under its dest", async () => {
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.client_id).toBe('gold');
  });

  it("a callee's ClientAuthenticate does not count for the caller: the engine authenticates first", async () => {
    const r = await postToken(s.url, GRANT, { authorization: basic('gold', 'wrong-secret-0123456789') });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    // The engine refused it before any valve ran: no valve is named for the failure.
    expect(s.logs.lines.findLast((l) => l.event === 'token')).not.toHaveProperty('valve');
  });
});

describe('PipeCall: check', () => {
  it('a called pipe is used, and a callee that answers answers for its caller: no warnings', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: answer }
  - id: answer
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
    const { engine, errors, warnings } = await diagnosticsOf(yaml);
    expect(engine).toBeDefined();
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('a caller that answers nowhere is still warned about', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: enrich }
  - id: enrich
    valves:
      - name: ClaimsSet
        config: { claims: { a: b } }
`);
    const { warnings } = await diagnosticsOf(yaml);
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', line: positionOf(yaml, '- id: main').line })]);
  });

  it('refuses an unknown pipe, at the id, with a did-you-mean', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: sahred }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
  - id: shared
    valves:
      - name: ClaimsSet
        config: { claims: { a: b } }
`);
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'unknown_pipe', message: expect.stringContaining("'shared'"), ...positionOf(yaml, 'sahred') })]);
  });

  it('refuses an unknown pipe in a disabled PipeCall too (a typo must not wait until it is switched on)', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: PipeCall
        enabled: false
        config: { pipe: nowhere }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
    const { errors } = await diagnosticsOf(yaml);
    expect(errors).toEqual([expect.objectContaining({ code: 'unknown_pipe', ...positionOf(yaml, 'nowhere') })]);
  });

  it('refuses a pipe that calls itself, and a cycle, at each call on it', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: main }
      - name: PipeCall
        config: { pipe: ping }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
  - id: ping
    valves:
      - name: PipeCall
        config: { pipe: pong }
  - id: pong
    valves:
      - name: PipeCall
        config: { pipe: ping }
`);
    const { errors } = await diagnosticsOf(yaml);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'main }') }),
      expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'pong }') }),
      expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'ping }', 2) }),
    ]);
  });

  it('refuses calls nested deeper than 8', async () => {
    const chain = Array.from({ length: 10 }, (_, i) => `
  - id: p${i}
    valves:
      - name: ${i === 9 ? 'ClaimsSet' : 'PipeCall'}
        config: ${i === 9 ? '{ claims: { a: b } }' : `{ pipe: p${i + 1} }`}`).join('');
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: PipeCall
        config: { pipe: p0 }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse${chain}
`);
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 'valve_config')).toBe(true);
  });
});
