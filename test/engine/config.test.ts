/** The config loader: load-time expressions, positions, and one report per mistake. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../engine/package-root.js';
import { load } from '../helpers/sluice.js';

const MINIMAL = (rp: string, extra = '') => `keystores:
  - { id: signing, type: generated }
${extra}rps:
  - client_id: svc
    client_credentials_pipe_id: p
${rp}
pipes:
  - id: p
    valves:
      - name: CreateJwt
        config:
          keystore: signing
          jwt_claims: { api: "\${client.attributes.api}" }
      - name: TokenResponse
`;

describe('load-time expressions', () => {
  it('resolves env, globals (keeping types) and file, relative to the config', async () => {
    const { engine, diagnostics } = await load(
      MINIMAL(`    client_secret: \${file.secrets/svc.txt}
    audiences: \${globals.audiences}
    attributes: { api: "\${globals.base}/v\${env.VERSION}" }`, 'globals:\n  base: https://api.example.com\n  audiences: [https://a.example, https://b.example]\n'),
      { env: { VERSION: '2' }, files: { 'secrets/svc.txt': '  from-a-file-0123456789\n' } },
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const client = engine!.clients.get('svc')!;
    expect(client.client.audiences).toEqual(['https://a.example', 'https://b.example']);
    expect(client.client.attributes.api).toBe('https://api.example.com/v2');
    expect(client.secrets).toEqual([{ kind: 'plain', value: 'from-a-file-0123456789' }]);
  });

  it('reports a missing env var, an unknown global and an unreadable file at their nodes', async () => {
    const { engine, diagnostics } = await load(MINIMAL(`    client_secret: \${env.NOPE}
    audiences: ["\${globals.nope}"]
    attributes: { key: "\${file.missing.txt}" }`));
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line, d.col])).toEqual([
      ['missing_env', 6, 20],
      ['unknown_reference', 7, 17],
      ['file_unreadable', 8, 24],
    ]);
  });

  it('refuses a request-time expression outside a valve config', async () => {
    const { diagnostics } = await load(MINIMAL('    client_secret: "${client.client_id}"'));
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'template', line: 6, col: 20 });
  });

  it('does not re-parse `${` that comes from a substituted value', async () => {
    const { engine } = await load(MINIMAL('    client_secret: "${env.S}"'), { env: { S: 'x${env.Y}-0123456789abcdef' } });
    expect(engine!.clients.get('svc')!.secrets).toEqual([{ kind: 'plain', value: 'x${env.Y}-0123456789abcdef' }]);
  });
});

describe('diagnostics', () => {
  it('reports every problem of a config once, in file order', async () => {
    const { engine, diagnostics } = await load(`keystores:
  - { id: signing, type: generated }
rps:
  - client_id: a
    client_secret: \${env.S}
    scope: [x]
    client_credentials_pipe_id: p
  - client_id: b
    client_secret: \${env.S}
    client_credentials_pipe_id: nope
  - client_id: b
    client_secret: \${env.S}
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - name: ClientAuthenticat
      - name: CreateJwt
        config: { keystore: signing, jwt_ttl: [1] }
      - name: TokenResponse
`, { env: { S: 'secret-0123456789abcdef' } });
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([
      "6:5 schema unknown key 'scope' (did you mean 'scopes'?)",
      "10:33 unknown_pipe unknown pipe 'nope'; pipes: p",
      "11:16 duplicate_id duplicate client_id 'b' (also rps[1])",
      "17:15 unknown_valve unknown valve 'ClientAuthenticat' (did you mean 'ClientAuthenticate'?)",
      expect.stringMatching(/^19:47 schema jwt_ttl: must be number or string/),
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with positions', async () => {
    const dup = await load('rps: []\npipes: []\nrps: []\n');
    expect(dup.diagnostics[0]).toMatchObject({ code: 'yaml_syntax', line: 3, col: 1 });
    const syntax = await load('rps: [\npipes: {');
    expect(syntax.diagnostics[0]).toMatchObject({ code: 'yaml_syntax' });
    expect(syntax.engine).toBeUndefined();
  });

  it('refuses a malformed client_secret_hash at its node', async () => {
    const { diagnostics } = await load(MINIMAL('    client_secret_hash: "$scrypt$ln=1,r=8,p=1$abc$def"'));
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'schema', line: 6, col: 25 });
  });

  it('warns about a secret written in clear', async () => {
    const { engine, diagnostics } = await load(MINIMAL('    client_secret: in-clear-0123456789'));
    expect(engine).toBeDefined();
    expect(diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', line: 6, col: 20 }));
  });
});

describe('shipped configs', () => {
  it('the embedded default config is valid', async () => {
    const { engine, diagnostics } = await load(readFileSync(packagePath('config/sluice.yaml'), 'utf8'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine!.clients.has('demo')).toBe(true);
  });

  it('pipes/m2m-jwt.yaml works when copied into a config', async () => {
    const pipe = readFileSync(packagePath('pipes/m2m-jwt.yaml'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)).join('\n');
    const { engine, diagnostics } = await load(`keystores:\n  - { id: signing, type: generated }\nrps: []\npipes:\n${pipe}\n`);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });
});

describe('types from the environment', () => {
  it('takes server settings from env vars (strings coerced to the schema type)', async () => {
    const { engine, diagnostics } = await load(`server: { port: "\${env.PORT}", trust_proxy: "\${env.PROXY}" }\n` + MINIMAL('    client_secret: "${env.S}"'), { env: { PORT: '9099', PROXY: 'false', S: 'secret-0123456789abcdef' } });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine!.config.server).toMatchObject({ port: 9099, trust_proxy: false });
    expect(engine!.issuer).toBe('http://127.0.0.1:9099');
  });

  it('still refuses a port that is not a number', async () => {
    const { diagnostics } = await load(`server: { port: "\${env.PORT}" }\n` + MINIMAL('    client_secret: "${env.S}"'), { env: { PORT: 'http', S: 'secret-0123456789abcdef' } });
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'schema', line: 1, col: 17 });
  });
});

describe('registered clients', () => {
  it('are deeply frozen, so a valve cannot change what the next request sees', async () => {
    const { engine } = await load(MINIMAL('    client_secret: "${env.S}"\n    attributes: { roles: [a], nested: { k: [1] } }'), { env: { S: 'secret-0123456789abcdef' } });
    const client = engine!.clients.get('svc')!.client;
    expect(Object.isFrozen(client.attributes.roles)).toBe(true);
    expect(Object.isFrozen((client.attributes.nested as { k: number[] }).k)).toBe(true);
    expect(Object.isFrozen(client.scopes)).toBe(true);
  });
});

describe('config mistakes the schema alone would miss', () => {
  const errorsOf = async (yaml: string, options: Parameters<typeof load>[1] = {}) =>
    (await load(yaml, { env: { S: 'secret-0123456789abcdef' }, ...options })).diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.col, d.code, d.message]);

  it('an issuer with a trailing slash', async () => {
    for (const issuer of ['https://as.example.com/', 'https://as.example.com/tenant/']) {
      expect(await errorsOf(`issuer: ${issuer}\n` + MINIMAL('    client_secret: "${env.S}"'))).toEqual([
        [1, 9, 'schema', 'issuer: must be scheme://host[:port] with an optional path of plain segments (letters, digits, . _ ~ -), no user:password@ (the issuer is published), query, fragment or trailing slash (e.g. https://auth.example.com or https://auth.example.com/realms/acme)'],
      ]);
    }
  });

  it('discovery_meta overriding what the server computes', async () => {
    expect(await errorsOf('oidc:\n  discovery_meta: { issuer: https://evil.example, op_policy_uri: https://x.example }\n' + MINIMAL('    client_secret: "${env.S}"'))).toEqual([
      [2, 21, 'schema', "discovery_meta cannot set 'issuer': it is computed from the config"],
    ]);
  });

  it('a generated keystore given a path', async () => {
    expect(await errorsOf(MINIMAL('    client_secret: "${env.S}"').replace('{ id: signing, type: generated }', '{ id: signing, type: generated, path: k.pem }'))).toEqual([
      [2, 37, 'keystore_invalid', 'a generated keystore takes no path'],
    ]);
  });

  it('a circular YAML alias', async () => {
    expect(await errorsOf('a: &a [*a]\n' + MINIMAL('    client_secret: "${env.S}"'))).toEqual([[1, 8, 'yaml_syntax', 'alias *a refers to a node that contains it']]);
  });

  it('a template syntax error, reported once', async () => {
    const yaml = MINIMAL('    client_secret: "${env.S}"').replace('jwt_claims: { api: "${client.attributes.api}" }', 'jwt_claims: { api: "${client.attributes.api" }');
    // At the `${` that is never closed, inside the string.
    expect(await errorsOf(yaml)).toEqual([[13, 31, 'template', expect.stringMatching(/^unterminated/)]]);
  });

  it('an expression where a name is expected', async () => {
    const yaml = MINIMAL('    client_secret: "${env.S}"').replace('keystore: signing', 'keystore: signing\n          dest: "${client.client_id}"');
    expect(await errorsOf(yaml)).toEqual([[13, 17, 'schema', 'dest: must be a name (letters, digits, _ and -)']]);
  });

  it('warns about a pipe with no valve that answers', async () => {
    const { engine, diagnostics } = await load(MINIMAL('    client_secret: "${env.S}"').replace('      - name: TokenResponse\n', ''), { env: { S: 'secret-0123456789abcdef' } });
    expect(engine).toBeDefined();
    expect(diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', line: 8, code: 'valve_config', message: expect.stringMatching(/pipe 'p' has no valve that answers/) }));
  });

  it('plugins may come from env, resolved before they load', async () => {
    const plugin = "export default { name: 'Noop', create() { return async function noop(flow, next) { await next(); }; } };";
    const { engine } = await load('plugins: ["${env.PLUGIN}"]\n' + MINIMAL('    client_secret: "${env.S}"'), { env: { S: 'secret-0123456789abcdef', PLUGIN: './noop.mjs' }, files: { 'noop.mjs': plugin } });
    expect(engine?.config.plugins).toEqual(['./noop.mjs']);
  });
});

describe('--port against a loopback issuer (new-user walkthrough)', () => {
  it('warns at the issuer when --port differs from the port the issuer publishes', async () => {
    const { load } = await import('../helpers/sluice.js');
    const yaml = 'issuer: http://127.0.0.1:8090\nkeystores: [{ id: k, type: generated }]\nrps: []\npipes: []\n';
    const { diagnostics } = await load(yaml, { port: 8095 });
    expect(diagnostics.filter((d) => d.severity === 'warning' && d.message.includes('--port')).map((d) => [d.line, d.col])).toEqual([[1, 9]]);
    const same = await load(yaml, { port: 8090 });
    expect(same.diagnostics.some((d) => d.message.includes('--port'))).toBe(false);
  });
});
