/**
 * A typo inside `${…}` is a `check` problem at the template string, not a silently empty
 * claim: unknown fields of client/request/grant/now are errors (with a did-you-mean); an
 * attribute no client of the pipe has is a warning.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';

const config = (claims: string, attributes = '{ appid: orders }') => `keystores: [{ id: signing, type: generated }]
rps:
  - client_id: a
    client_secret: "\${env.S}"
    client_credentials_pipe_id: p
    attributes: ${attributes}
  - client_id: b
    client_secret: "\${env.S}"
    client_credentials_pipe_id: p
    attributes: { region: eu }
pipes:
  - id: p
    valves:
      - name: CreateJwt
        config:
          keystore: signing
          jwt_claims: { x: "${claims}" }
      - name: TokenResponse
`;
const ENV = { env: { S: 'secret-0123456789abcdef' } };
const problems = async (claims: string, attributes?: string) =>
  (await load(config(claims, attributes), ENV)).diagnostics.filter((d) => d.code === 'template').map((d) => [d.severity, d.line, d.col, d.message]);

describe('fields of the fixed namespaces', () => {
  it('a typo in a client field is an error at the template, with a hint', async () => {
    const { engine, diagnostics } = await load(config('${client.atributes.appid}-eu'), ENV);
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([
      // Inside the string, at the path: `"` is column 28, `${` 29-30.
      expect.objectContaining({ code: 'template', line: 17, col: 31, message: expect.stringMatching(/did you mean 'attributes'/) }),
    ]);
  });

  it.each(['${request.parms.team}', '${grant.scopes}', '${now.iso}', '${requests.scope}'])('%s is an error', async (text) => {
    expect(await problems(text)).toEqual([['error', 17, 31, expect.any(String)]]);
  });

  it('known fields pass', async () => {
    expect(await problems('${client.attributes.appid} ${request.params.x} ${grant.scope} ${state.y} ${now}')).toEqual([]);
  });
});

describe('attributes the clients of a pipe have', () => {
  it('one client having the attribute is enough', async () => {
    expect(await problems('${client.attributes.appid}/${client.attributes.region}')).toEqual([]);
  });

  it('an attribute no client of the pipe has is a warning at the template, with a hint', async () => {
    const { engine, diagnostics } = await load(config('${client.attributes.appld}'), ENV);
    expect(engine).toBeDefined();
    expect(diagnostics.filter((d) => d.code === 'template')).toEqual([
      expect.objectContaining({ severity: 'warning', line: 17, col: 28, message: expect.stringMatching(/'appld'.*did you mean 'appid'/) }),
    ]);
  });
});
