/**
 * HttpRequest's config problems, placed in the YAML: a caller may never choose the server
 * (no template in scheme, host or port), GET and HEAD carry no body, the HTTP client's own
 * headers are not settable, and plain http beyond this machine is a warning.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { load, tempDir } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';
import { requireBuild, sluice } from '../cli/cli.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

const config = (valveConfig: string) => `
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - name: HttpRequest
        config:
          dest: dir
${valveConfig.trim().replace(/^/gm, '          ')}
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { team: "\${state.dir.body.team}" } }
      - name: TokenResponse
`;

async function problems(yaml: string) {
  const { diagnostics } = await load(yaml, { env: ENV });
  return diagnostics.filter((d) => d.code === 'valve_config');
}

describe('HttpRequest check', () => {
  beforeAll(requireBuild);

  it('sluice check points at a templated host: FILE:LINE:COL, exit 1', async () => {
    const yaml = config('url: https://${request.params.tenant}.example.com/users');
    const dir = tempDir({ 'config.yaml': yaml });
    const result = await sluice(['check', 'config.yaml'], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    const { line, col } = positionOf(yaml, 'https://');
    expect(result.stdout).toContain(`config.yaml:${line}:${col}: error: url may not have a \${…} in its scheme, host or port`);
  });

  it.each([
    ['the host', 'url: https://${request.params.host}/users'],
    ['the end of the host', 'url: https://api.example.com${request.params.suffix}'],
    ['the port', 'url: "https://api.example.com:${request.params.port}/x"'],
    ['the whole url', 'url: ${request.params.url}'],
  ])('refuses a template in %s', async (_name, line) => {
    const yaml = config(line);
    const found = await problems(yaml);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', ...positionOf(yaml, line.slice('url: '.length)) });
  });

  it.each(['GET', 'HEAD'])('refuses a body with %s, at the body key', async (method) => {
    const yaml = config(`method: ${method}\nurl: https://dir.example.com/lookup\nbody: { client: "\${client.client_id}" }`);
    const found = await problems(yaml);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', ...positionOf(yaml, 'body:') });
  });

  it.each(['Host', 'content-length'])('refuses the header %s', async (header) => {
    const yaml = config(`url: https://dir.example.com/lookup\nheaders: { ${header}: x }`);
    const found = await problems(yaml);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', ...positionOf(yaml, header) });
  });

  it.each([
    ['a non-http scheme', 'url: ftp://dir.example.com/x'],
    ['credentials in the url', 'url: https://user:pw@dir.example.com/x'],
    ['a dot segment', 'url: https://dir.example.com/a/../b'],
  ])('refuses %s', async (_name, line) => {
    const found = await problems(config(line));
    expect(found.map((d) => d.severity)).toEqual(['error']);
  });

  it('warns about plain http beyond loopback, and accepts it to 127.0.0.1 and https anywhere', async () => {
    expect((await problems(config('url: http://dir.example.com/x'))).map((d) => d.severity)).toEqual(['warning']);
    expect(await problems(config('url: http://127.0.0.1:8080/x/${client.client_id}'))).toEqual([]);
    const { engine, diagnostics } = await load(config('url: "https://dir.example.com/users/${client.client_id}?q=${request.params.q}"'), { env: ENV });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });
});
