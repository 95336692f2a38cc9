/**
 * `sluice schema [-c FILE]`: the config JSON Schema for editors, with each valve's config
 * schema attached by name (built-ins always; a config's plugins with -c). The printed
 * schema is also used here as an editor would: it must accept what check accepts and
 * reject what check rejects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDir, removeTempDirs, requireBuild, ROOT, sluice } from './cli.js';

type Schema = Record<string, any>; // a JSON Schema walked freely in assertions

let dir: string;
let builtIn: Schema;
let withPlugin: Schema;

/** The config schema attached to valve NAME in definitions.valve. */
function valveConfigSchema(schema: Schema, name: string): Schema | undefined {
  const entries = (schema.definitions?.valve?.allOf ?? []) as Schema[];
  return entries.find((e) => e.if?.properties?.name?.const === name)?.then?.properties?.config;
}

/** As an editor or CI would: ajv in full strict mode, its defaults. */
function validator(schema: Schema) {
  return new Ajv({ allErrors: true, strict: true }).compile(schema);
}

const yamlFile = (path: string): unknown => parse(readFileSync(path, 'utf8'));

beforeAll(async () => {
  requireBuild();
  dir = fixtureDir();
  const [plain, plugin] = await Promise.all([sluice(['schema']), sluice(['schema', '-c', 'plugin.yaml'], { cwd: dir })]);
  expect(plain.code, plain.stderr).toBe(0);
  expect(plugin.code, plugin.stderr).toBe(0);
  builtIn = JSON.parse(plain.stdout) as Schema;
  withPlugin = JSON.parse(plugin.stdout) as Schema;
});
afterAll(removeTempDirs);

describe('sluice schema', () => {
  it('prints a JSON Schema with definitions.valve', () => {
    expect(builtIn.$schema).toMatch(/json-schema\.org/);
    expect(builtIn.definitions.valve).toBeTypeOf('object');
    expect(builtIn.properties).toHaveProperty('rps');
    expect(builtIn.properties).toHaveProperty('pipes');
  });

  it("carries every built-in valve's config schema (CreateJwt's jwt_ttl, …)", () => {
    for (const name of ['ClientAuthenticate', 'ScopeCheck', 'CreateJwt', 'TokenResponse']) {
      expect(valveConfigSchema(builtIn, name), name).toBeDefined();
    }
    const createJwt = valveConfigSchema(builtIn, 'CreateJwt')!;
    expect(createJwt.properties).toHaveProperty('jwt_ttl');
    expect(createJwt.properties).toHaveProperty('keystore');
    expect(createJwt.required).toContain('keystore');
    expect(valveConfigSchema(builtIn, 'TenantClaims')).toBeUndefined();
  });

  it("with -c CONFIG, includes the config's plugin valves", () => {
    const tenant = valveConfigSchema(withPlugin, 'TenantClaims');
    expect(tenant).toBeDefined();
    expect(tenant!.properties.tenant).toMatchObject({ type: 'string' });
    expect(tenant!.required).toEqual(['tenant']);
    expect(valveConfigSchema(withPlugin, 'CreateJwt')!.properties).toHaveProperty('jwt_ttl');
  });

  it('accepts the configs check accepts', () => {
    const validate = validator(builtIn);
    for (const file of [join(ROOT, 'config/sluice.yaml'), join(dir, 'valid.yaml')]) {
      expect(validate(yamlFile(file)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const validatePlugin = validator(withPlugin);
    expect(validatePlugin(yamlFile(join(dir, 'plugin.yaml'))), JSON.stringify(validatePlugin.errors)).toBe(true);
  });

  // Issue 9 item 22: the published schema failed ajv strict mode and refused values that
  // check accepts once ${env.…} is resolved.
  it('is the file schemas/sluice.schema.json that editors use (run `npm run schema` after changing it)', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'schemas/sluice.schema.json'), 'utf8'))).toEqual(builtIn);
  });

  it('accepts load-time expressions where check accepts them once resolved', () => {
    const validate = validator(builtIn);
    const config = parse(`
server: { port: "\${env.PORT}", trust_proxy: "\${env.BEHIND_PROXY}", body_limit: "\${globals.limit}" }
keystores: [{ id: k, type: "\${env.KEYSTORE_TYPE}", path: "\${env.KEY}" }]
rps: [{ client_id: a, token_endpoint_auth_method: "\${env.METHOD}", client_secret_hash: "\${env.HASH}" }]
pipes: [{ id: p, valves: [{ name: CreateJwt, config: { keystore: "\${env.KS}" } }] }]
`);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parse('rps: []\npipes: []\nserver: { port: "80a" }'))).toBe(false);
  });

  it("rejects a wrong type and a typo in a built-in valve's config, as check does", () => {
    const validate = validator(builtIn);
    expect(validate(yamlFile(join(dir, 'valve-config-type.yaml')))).toBe(false); //  jwt_ttl: [1]
    expect(validate(yamlFile(join(dir, 'unknown-key-valve.yaml')))).toBe(false); // jwt_tll: 10
    expect(validate(yamlFile(join(dir, 'unknown-key-rp.yaml')))).toBe(false); //    scope:
  });

  it("rejects a bad value and a typo'd key in a plugin valve's config, as check does", () => {
    const validate = validator(withPlugin);
    const config = yamlFile(join(dir, 'plugin.yaml')) as { pipes: Array<{ valves: Array<{ name: string; config?: Record<string, unknown> }> }> };
    const tenant = config.pipes[0]!.valves.find((v) => v.name === 'TenantClaims')!;
    tenant.config = { tenant: 42 };
    expect(validate(config)).toBe(false);
    // check rejects `tenat:` (a plugin's object schema gets additionalProperties: false);
    // an editor using the printed schema must flag it too.
    tenant.config = { tenant: 'acme', tenat: 'acme' };
    expect(validate(config), 'the printed schema accepts TenantClaims config { tenat: … } that check rejects').toBe(false);
  });
});

describe.concurrent('sluice schema: failures', () => {
  it('-c with a plugin that does not load: exit 1, the plugin errors on stderr', async () => {
    const result = await sluice(['schema', '-c', 'plugin-failures.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines.map((l) => l.split(': error: ')[0])).toEqual(['plugin-failures.yaml:3:5', 'plugin-failures.yaml:4:5', 'plugin-failures.yaml:5:5']);
  });

  it('an unknown flag or two config files is a usage error (exit 2)', async () => {
    const [flag, positional] = await Promise.all([sluice(['schema', '--bogus']), sluice(['schema', 'plugin.yaml', 'plugin.yaml'], { cwd: dir })]);
    expect(flag.code).toBe(2);
    expect(positional.code).toBe(2);
  });
});
