/**
 * Load-time values (`${env.…}`, `${globals.…}`, `${file.…}`) through the whole load path,
 * YAML to served token: they are data, never parsed again as templates, and `$${` stays a
 * literal `${`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../engine/load.js';
import { createLogger } from '../../engine/logger.js';
import { basic, LogCapture, postToken, serve, tempDir, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const SECRET = 'svc-secret-0123456789abcdef';
const INJECTION = '${request.params.team}';

const CONFIG = `
keystores: [{ id: signing, type: generated }]
globals:
  team: "\${env.TEAM}"
  escaped: "$\${request.params.team}"
  nested: { team: "\${env.TEAM}", list: ["\${env.TEAM}"] }
rps:
  - client_id: svc
    client_secret: "\${env.S}"
    client_credentials_pipe_id: p
    attributes: { team: "\${env.TEAM}" }
pipes:
  - id: p
    valves:
      - name: CreateJwt
        config:
          keystore: signing
          jwt_claims:
            sub: "$\${request.params.sub}"
            from_env: "\${env.TEAM}"
            from_env_in_text: "team=\${env.TEAM}!"
            from_globals: "\${globals.team}"
            from_escaped_global: "\${globals.escaped}"
            from_nested_global: "\${globals.nested}"
            from_file: "\${file.team.txt}"
            from_attribute: "\${client.attributes.team}"
            brace_after_value: "\${env.DOLLAR}{request.params.sub}"
            dollar_before_expression: "\${env.DOLLAR}\${client.client_id}"
            dollars: "$$\${client.client_id} $$ $\${x} $"
      - name: TokenResponse
`;

describe('load-time values are never parsed again', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(CONFIG, { env: { S: SECRET, TEAM: INJECTION, DOLLAR: '$' }, files: { 'team.txt': `${INJECTION}\n` } });
  });
  afterAll(() => s.close());

  it('lands in the token literally, whatever the client sends', async () => {
    const r = await postToken(s.url, { grant_type: 'client_credentials', sub: 'admin', team: 'evil' }, { authorization: basic('svc', SECRET) });
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload).toMatchObject({
      sub: '${request.params.sub}',
      from_env: INJECTION,
      from_env_in_text: `team=${INJECTION}!`,
      from_globals: INJECTION,
      from_escaped_global: INJECTION,
      from_nested_global: { team: INJECTION, list: [INJECTION] },
      from_file: INJECTION,
      from_attribute: INJECTION,
      brace_after_value: '${request.params.sub}',
      dollar_before_expression: '$svc',
      dollars: '$svc $$ ${x} $',
    });
    expect(JSON.stringify(payload)).not.toMatch(/admin|evil/);
  });
});

describe('${file.…} reads only regular files of bounded size', () => {
  const errorsFor = async (path: string, files: Record<string, string | Buffer> = {}, prepare?: (dir: string) => void) => {
    const yaml = `keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: "\${file.${path}}"
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves: [{ name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
`;
    const dir = tempDir({ ...files, 'config.yaml': yaml });
    prepare?.(dir);
    const { diagnostics } = await loadConfigFile(join(dir, 'config.yaml'), { env: {}, logger: createLogger('info', new LogCapture()) });
    return diagnostics.filter((d) => d.severity === 'error');
  };
  const at = { line: 4, col: 20, code: 'file_unreadable' };

  it('reads a regular file, trimmed', async () => {
    expect(await errorsFor('s.txt', { 's.txt': `  ${SECRET}\n` })).toEqual([]);
  });

  it.each([
    ['a missing file', 'missing.txt'],
    ['a character device', '/dev/zero'],
  ])('refuses %s at the expression', async (_name, path) => {
    expect(await errorsFor(path)).toEqual([expect.objectContaining(at)]);
  });

  it('refuses a file over 1 MiB', async () => {
    const errors = await errorsFor('big.txt', { 'big.txt': Buffer.alloc(1024 * 1024 + 1, 'a') });
    expect(errors).toEqual([expect.objectContaining({ ...at, message: expect.stringMatching(/1 MiB/) })]);
  });

  it('refuses a directory', async () => {
    expect(await errorsFor('sub', {}, (dir) => mkdirSync(join(dir, 'sub')))).toEqual([expect.objectContaining(at)]);
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    expect(await errorsFor('fifo', {}, (dir) => execFileSync('mkfifo', [join(dir, 'fifo')]))).toEqual([expect.objectContaining(at)]);
  });
});
