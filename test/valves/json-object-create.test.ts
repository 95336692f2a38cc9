/**
 * JsonObjectCreate: builds an object from templated `src` under `dest` for later valves;
 * `dest: client_credentials` makes it the token response (with the engine's no-store,
 * state echo and refusal of unproven callers). PipeExec is PipeCall under FortifiedID's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';
import { diagnosticsOf, ENV, flowConfig, GOLD, GRANT } from './flow-config.js';

const PIPES = `
  - id: main
    valves:
      - name: PipeExec
        config: { pipe: shared }
      - name: JsonObjectCreate
        config:
          dest: info
          src: { tenant: "\${client.attributes.tenant}", asked: "\${request.params.note}", nested: { regions: "\${client.attributes.regions}" } }
      - name: CreateJwt
        config:
          keystore: signing
          jwt_claims: { tenant: "\${item.info.tenant}", region: "\${item.info.nested.regions.0}", seen: "\${state.seen}" }
      - name: JsonObjectCreate
        config:
          dest: client_credentials
          src: { access_token: "\${item.access_token}", token_type: Bearer, expires_in: 3600, note: "\${item.info.asked}" }
  - id: shared
    valves:
      - name: StateSet
        config: { values: { seen: shared } }
`;

describe('JsonObjectCreate and PipeExec', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(flowConfig(PIPES), { env: ENV });
  });
  afterAll(() => s.close());

  it('answers with the client_credentials object: no-store, state echoed, the token verifying with claims read from item', async () => {
    const r = await postToken(s.url, { ...GRANT, state: 's-1', note: 'hello' }, GOLD);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, note: 'hello', state: 's-1' });
    const { payload } = await verifyToken(s.url, r.body.access_token as string);
    expect(payload).toMatchObject({ sub: 'gold', tenant: 'acme', region: 'eu-west', seen: 'shared' });
  });

  it('hostile values from the caller stay data: quotes, braces and template text come back as sent', async () => {
    const note = '"}${client.client_id}<script>\u0000';
    const r = await postToken(s.url, { ...GRANT, note }, GOLD);
    expect(r.status).toBe(200);
    expect(r.body.note).toBe(note);
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'expires_in', 'note', 'token_type']);
  });

  it('an unproven caller gets invalid_client and nothing of the object', async () => {
    const r = await postToken(s.url, { ...GRANT, state: 's-2', note: 'x' }, { authorization: basic('gold', 'not-the-secret-0123') });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });
});

describe('JsonObjectCreate: check', () => {
  it('JsonObjectCreate to client_credentials counts as answering; to another dest it does not', async () => {
    const answering = await diagnosticsOf(flowConfig(PIPES));
    expect(answering.errors).toEqual([]);
    expect(answering.warnings.filter((w) => /no valve that answers/.test(w.message))).toEqual([]);
    const yaml = flowConfig(PIPES.replace('dest: client_credentials', 'dest: reply'));
    const other = await diagnosticsOf(yaml);
    expect(other.errors).toEqual([]);
    expect(other.warnings.filter((w) => /no valve that answers/.test(w.message)).map(({ line, col }) => ({ line, col }))).toEqual([{ ...positionOf(yaml, '- id: main'), col: positionOf(yaml, '- id: main').col + 6 }]);
  });

  it('a response object without access_token or token_type is a warning at src', async () => {
    const yaml = flowConfig(PIPES.replace('access_token: "${item.access_token}", token_type: Bearer, ', ''));
    const { errors, warnings } = await diagnosticsOf(yaml);
    expect(errors).toEqual([]);
    const found = warnings.filter((w) => w.code === 'valve_config' && /access_token and token_type/.test(w.message));
    expect(found.map(({ line, col }) => ({ line, col }))).toEqual([positionOf(yaml, '{ expires_in')]);
  });

  it("the response's expires_in is checked against the token its access_token names (${items[0].X} as ${item.X}), with both numbers", async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: CreateJwt
        config: { keystore: signing, dest: long, jwt_ttl: 60 }
      - name: CreateJwt
        config: { keystore: signing, dest: short, jwt_ttl: 5m }
      - name: JsonObjectCreate
        config:
          dest: client_credentials
          src: { access_token: "\${items[0].long}", token_type: Bearer, expires_in: 300, scope: "\${request.scope}" }
`);
    const { errors, warnings } = await diagnosticsOf(yaml);
    expect(errors).toEqual([]);
    const found = warnings.filter((w) => w.code === 'valve_config');
    expect(found.map(({ line, col }) => ({ line, col }))).toEqual([positionOf(yaml, '300,')]);
    for (const part of ['300', '3600', "'long'"]) expect(found[0]!.message).toContain(part);
    // Naming the other token, they agree: no warning.
    expect((await diagnosticsOf(yaml.replace('items[0].long', 'items[0].short'))).warnings.filter((w) => w.code === 'valve_config')).toEqual([]);
  });

  it('dest and src are required, dest is a name; PipeExec refuses an unknown pipe with a did-you-mean', async () => {
    const yaml = flowConfig(PIPES.replace('dest: info', 'dest: "a.b"').replace('pipe: shared', 'pipe: shraed'));
    const { errors } = await diagnosticsOf(yaml);
    expect(errors.map(({ line, col, code }) => ({ line, col, code }))).toEqual([
      { ...positionOf(yaml, 'shraed'), code: 'unknown_pipe' },
      { ...positionOf(yaml, '"a.b"'), code: 'schema' },
    ]);
    expect(errors[0]!.message).toMatch(/did you mean 'shared'/);
  });

  it('a src value the caller sends is a warning when stored for later valves', async () => {
    const yaml = flowConfig(PIPES);
    const { warnings } = await diagnosticsOf(yaml);
    expect(warnings.filter((w) => /holds what the caller sends/.test(w.message)).map(({ line, col }) => ({ line, col }))).toEqual([positionOf(yaml, '"${request.params.note}"')]);
  });

  it('an access_token the caller sends (directly or through state) is a warning: the response would hand back a token no one issued', async () => {
    // Attack (issue 13 review): `access_token: ${request.params.t}` answered 200 with the
    // caller's own text as the token, and check said nothing.
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: StateSet
        config: { values: { t: "\${request.params.t}" } }
      - name: JsonObjectCreate
        config: { dest: client_credentials, src: { access_token: "\${request.params.t}", token_type: Bearer, note: "\${request.params.n}" } }
      - name: JsonObjectCreate
        config: { dest: client_credentials, src: { access_token: "\${item.t}", token_type: Bearer } }
`);
    const { engine, warnings } = await diagnosticsOf(yaml);
    expect(engine).toBeDefined();
    const found = warnings.filter((w) => /no one issued/.test(w.message));
    expect(found.map(({ line, col, code }) => ({ line, col, code }))).toEqual([
      { ...positionOf(yaml, '"${request.params.t}"', 2), code: 'valve_config' },
      { ...positionOf(yaml, '"${item.t}"'), code: 'valve_config' },
    ]);
  });
});
