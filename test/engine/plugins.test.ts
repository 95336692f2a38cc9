/** Plugins load from files or packages and are checked like built-ins. */
import { describe, expect, it } from 'vitest';
import { BASIC_ENV, basic, load, postToken, serve } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const VALVE = (name: string) => `
export default {
  name: '${name}',
  configSchema: { type: 'object', properties: { team: { type: 'string' } }, required: ['team'] },
  create(config, engine) {
    const team = engine.compileTemplate(config.team);
    return async function teamClaim(flow, next) {
      flow.claims.team = team(flow);
      await next();
    };
  },
};`;

const CONFIG = (plugin: string, valveConfig = 'team: "${client.attributes.team}"') => `
plugins: [${plugin}]
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.ORDERS_SECRET}
    client_credentials_pipe_id: p
    attributes: { team: payments }
pipes:
  - id: p
    valves:
      - name: TeamClaim
        config: { ${valveConfig} }
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
`;

describe('plugins', () => {
  it('loads a valve from an npm package beside the config and runs it', async () => {
    const s = await serve(CONFIG('sluice-team-claim'), {
      env: BASIC_ENV,
      files: {
        'node_modules/sluice-team-claim/package.json': JSON.stringify({ name: 'sluice-team-claim', type: 'module', exports: './index.js' }),
        'node_modules/sluice-team-claim/index.js': VALVE('TeamClaim'),
      },
    });
    try {
      const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', BASIC_ENV.ORDERS_SECRET) });
      expect((await verifyToken(s.url, String(r.body.access_token))).payload.team).toBe('payments');
    } finally {
      await s.close();
    }
  });

  it("checks a plugin valve's config against its schema, strict about unknown keys", async () => {
    const { diagnostics } = await load(CONFIG('./team.mjs', 'teem: x'), { env: BASIC_ENV, files: { 'team.mjs': VALVE('TeamClaim') } });
    // One typo, one error: not also "missing required key 'team'".
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line, d.message])).toEqual([
      ['schema', 13, "unknown key 'teem' (did you mean 'team'?)"],
    ]);
  });

  it('reports a plugin whose create() throws, naming the valve', async () => {
    const throwing = `export default { name: 'TeamClaim', create() { throw new Error('no directory configured'); } };`;
    const { diagnostics } = await load(CONFIG('./team.mjs', ''), { env: BASIC_ENV, files: { 'team.mjs': throwing } });
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'valve_config', line: 12, message: "valve 'TeamClaim' failed to start: no directory configured (in plugin './team.mjs')" });
  });

  it('checks the config of a disabled valve, without creating it', async () => {
    const { diagnostics } = await load(CONFIG('./team.mjs').replace('      - name: TeamClaim\n        config: { team: "${client.attributes.team}" }', '      - name: TeamClaim\n        enabled: false\n        config: { tem: x }'), {
      env: BASIC_ENV,
      files: { 'team.mjs': VALVE('TeamClaim') },
    });
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toContain("unknown key 'tem' (did you mean 'team'?)");
  });
});

describe('plugins that throw things other than Errors (attack review L5)', () => {
  it('a module that throws 42 while loading, and a create() that throws a string, are check errors with FILE:LINE:COL', async () => {
    const { load } = await import('../helpers/sluice.js');
    const { engine, diagnostics } = await load(`
keystores: [{ id: k, type: generated }]
plugins: [./forty-two.mjs, ./stringy.mjs]
rps: [{ client_id: a, client_secret: "\${env.S}", client_credentials_pipe_id: p }]
pipes:
  - id: p
    valves: [{ name: Stringy }, { name: CreateJwt, config: { keystore: k } }, { name: TokenResponse }]
`, { env: { S: 'a-secret-0123456789' }, files: {
      'forty-two.mjs': 'throw 42;',
      'stringy.mjs': "export default { name: 'Stringy', create() { throw 'no'; } };",
    } });
    expect(engine).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col} ${d.message}`);
    expect(errors).toEqual([
      "3:11 plugin './forty-two.mjs' failed to load: threw 42",
      `7:14 valve 'Stringy' failed to start: threw "no" (in plugin './stringy.mjs')`,
    ]);
  });
});
