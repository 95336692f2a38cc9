/**
 * Attack review of issue 14's spread removal (engine/merge.ts): a token answer a valve
 * made with JSON.parse (an upstream's JSON, as a plugin may pass on) can hold a member
 * named `__proto__`; it is data, sent as received. With `state` echoed, the answer is
 * copied once more (handler.ts withEchoed): Object.assign there takes `__proto__` as the
 * prototype to set, so the member vanished from the body and the upstream's object became
 * the answer's prototype, where the object spread before kept it a member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const PLUGIN = `
export default [{
  name: 'UpstreamAnswer',
  create() {
    return async function upstreamAnswer(flow) {
      flow.response = JSON.parse('{"access_token":"x","token_type":"Bearer","__proto__":{"injected":true}}');
    };
  },
}];
`;
const S = 'proto-secret-0123456789';

describe('a token answer with a __proto__ member', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(`
keystores: [{ id: signing, type: generated }]
plugins: [./upstream.mjs]
rps:
  - { client_id: svc, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: answer }
pipes:
  - id: answer
    valves: [{ name: ClientAuthenticate }, { name: UpstreamAnswer }]
`, { env: { S }, files: { 'upstream.mjs': PLUGIN } });
  });
  afterAll(() => s.close());

  it('sends it as a member, without state', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', S) });
    expect(r.status).toBe(200);
    expect(Object.hasOwn(r.body, '__proto__')).toBe(true);
    expect(r.body['__proto__']).toEqual({ injected: true });
  });

  it('sends it as a member with state echoed too, and nothing inherited', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials', state: 's-1' }, { authorization: basic('svc', S) });
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('s-1');
    expect(Object.hasOwn(r.body, '__proto__')).toBe(true);
    expect(r.body['__proto__']).toEqual({ injected: true });
    expect(Object.keys(r.body)).toEqual(['access_token', 'token_type', '__proto__', 'state']);
  });
});
