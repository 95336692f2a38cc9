/**
 * FlowFail: fails every flow that reaches it with the configured OAuth error and its
 * status, after the engine has authenticated the client (strangers learn nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';
import { diagnosticsOf, ENV, flowConfig, GOLD, GRANT } from './flow-config.js';

function failPipe(config: string): string {
  return flowConfig(`
  - id: main
    valves:
      - name: FlowFail
        config: ${config}
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
}

describe('FlowFail', () => {
  let s: Running;
  afterAll(() => s?.close());

  it('answers with its error code, its status and its description', async () => {
    s = await serve(failPipe('{ error: temporarily_unavailable, description: down for maintenance }'), { env: ENV });
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: 'temporarily_unavailable', error_description: 'down for maintenance' });
  });

  it('a wrong secret is still invalid_client: the engine authenticates before the pipe runs', async () => {
    const r = await postToken(s.url, GRANT, { authorization: basic('gold', 'wrong-secret-0123456789') });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('defaults to invalid_request (400)', async () => {
    await s.close();
    s = await serve(failPipe('{}'), { env: ENV });
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });

  it.each(['invalid_scope', 'invalid_grant', 'server_error'])('answers %s with its RFC 6749 status', async (error) => {
    await s.close();
    s = await serve(failPipe(`{ error: ${error} }`), { env: ENV });
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(error === 'server_error' ? 500 : 400);
    expect(r.body.error).toBe(error);
  });

  it('refuses an error code a config may not choose, at the code', async () => {
    const yaml = failPipe('{ error: invalid_client }');
    const { errors } = await diagnosticsOf(yaml);
    expect(errors).toEqual([expect.objectContaining({ code: 'schema', ...positionOf(yaml, 'invalid_client }') })]);
  });
});
