/**
 * AssertValue: the flow goes on only when a value matches (whole value) or equals; else the
 * configured OAuth error, whose description never holds the caller's value. Hostile values
 * (huge, unicode, built to make a regex backtrack) fail as plain refusals, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';
import { BRONZE, diagnosticsOf, ENV, flowConfig, GOLD, GRANT } from './flow-config.js';

/** A pipe `main` whose first valve is AssertValue with `config` (YAML lines). */
function assertPipe(config: string): string {
  const body = config.trim().split('\n').map((l) => `          ${l}`).join('\n');
  return flowConfig(`
  - id: main
    valves:
      - name: AssertValue
        config:
${body}
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
}

describe('AssertValue on a client attribute', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(assertPipe('value: "${client.attributes.tier}"\nmatches: "gold|silver"\nerror: unauthorized_client\ndescription: this client may not get tokens here'), { env: ENV });
  });
  afterAll(() => s.close());

  it('lets a matching client through: a token that verifies against /jwks', async () => {
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.client_id).toBe('gold');
  });

  it('refuses another with the configured error and description, never the value', async () => {
    const r = await postToken(s.url, GRANT, BRONZE);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'unauthorized_client', error_description: 'this client may not get tokens here' });
    expect(JSON.stringify(r.body)).not.toContain('bronze');
  });
});

describe('AssertValue on a request parameter', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(assertPipe('value: "${request.params.tenant}"\nmatches: "[a-z]+(-[a-z]+)*"'), { env: ENV });
  });
  afterAll(() => s.close());

  it('passes a value that matches as a whole', async () => {
    expect((await postToken(s.url, { ...GRANT, tenant: 'acme' }, GOLD)).status).toBe(200);
    expect((await postToken(s.url, { ...GRANT, tenant: 'acme-eu-west' }, GOLD)).status).toBe(200);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['matching only in part', 'acme!'],
    ['matching only after a newline', 'x\nacme'],
    ['unicode look-alike', 'аcme'], // Cyrillic a
    ['unicode letters', 'açme-ünï'],
    ['huge (10000 characters)', 'a'.repeat(10_000)],
    ['built to backtrack, under the length cap', `${'a-'.repeat(500)}!`],
    ['built to backtrack, over the length cap', `${'a-'.repeat(3000)}!`],
    ['with control characters', 'acme\u0000\u202e'],
  ])('refuses a value %s: invalid_request without echoing it', async (_, tenant) => {
    const r = await postToken(s.url, tenant === undefined ? GRANT : { ...GRANT, tenant }, GOLD);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
    if (tenant) expect(String(r.body.error_description)).not.toContain(tenant.slice(0, 8));
  });

  it('does not log the value either', async () => {
    await postToken(s.url, { ...GRANT, tenant: 'secret-looking-value-x1' }, GOLD);
    expect(s.logs.text).not.toContain('secret-looking-value-x1');
  });
});

describe('AssertValue with equals and lists', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(flowConfig(`
  - id: main
    valves:
      - name: AssertValue
        config: { value: "\${request.params.tenant}", equals: "\${client.attributes.tenant}", error: invalid_target }
      - name: AssertValue
        config: { value: "\${client.attributes.regions}", matches: "eu-[a-z]+", error: unauthorized_client }
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`), { env: ENV });
  });
  afterAll(() => s.close());

  it('equals compares with another template: the client names its own tenant', async () => {
    expect((await postToken(s.url, { ...GRANT, tenant: 'acme' }, GOLD)).status).toBe(200);
    const other = await postToken(s.url, { ...GRANT, tenant: 'bronze-co' }, GOLD);
    expect(other).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(await postToken(s.url, GRANT, GOLD)).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it('a list passes when every element matches; an empty list fails', async () => {
    // bronze names its own tenant, so the first assertion passes; its regions are [].
    const r = await postToken(s.url, { ...GRANT, tenant: 'bronze-co' }, BRONZE);
    expect(r).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });
});

describe('AssertValue: check', () => {
  it.each([
    ['an invalid regular expression', 'matches: "(unclosed"', '"(unclosed"'],
    ['a nested repeat (ReDoS)', 'matches: "(a+)+b"', '"(a+)+b"'],
    ['a repeated group holding a repeat', 'matches: "([a-z]*-?)*"', '"([a-z]*-?)*"'],
    ['a nested repeat in a named group', 'matches: "(?<w>\\\\w{2,})+"', '"(?<w>'],
  ])('refuses %s at the pattern', async (_, line, needle) => {
    const yaml = assertPipe(`value: "\${client.attributes.tier}"\n${line}`);
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, needle) })]);
  });

  it.each([
    ['kebab-case words', '[a-z]+(-[a-z]+)*'],
    ['a dotted name', '[a-z]+(\\\\.[a-z0-9]+)+'],
    ['path segments', '(/[^/]+)+'],
  ])('accepts a repeated group whose repetitions are told apart: %s', async (_, pattern) => {
    const { engine, errors } = await diagnosticsOf(assertPipe(`value: "\${client.attributes.tier}"\nmatches: "${pattern}"`));
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });

  it.each([
    ['both matches and equals', 'matches: gold\nequals: gold'],
    ['neither', 'error: invalid_scope'],
  ])('refuses %s, at the config', async (_, lines) => {
    const yaml = assertPipe(`value: "\${client.attributes.tier}"\n${lines}`);
    const { errors } = await diagnosticsOf(yaml);
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', line: positionOf(yaml, 'value: "$').line })]);
  });

  it.each([
    ['an error code a config may not choose', 'error: invalid_client', 'invalid_client'],
    ['a description built from the request', 'description: "bad ${request.params.x}"', '"bad ${'],
    ['a pattern that is a template', 'matches: "${request.params.re}"', '"${request.params.re}"'],
  ])('refuses %s (schema)', async (_, line, needle) => {
    const yaml = assertPipe(`value: "\${client.attributes.tier}"\n${line}${line.startsWith('matches') ? '' : '\nmatches: gold'}`);
    const { errors } = await diagnosticsOf(yaml);
    expect(errors).toEqual([expect.objectContaining({ code: 'schema', ...positionOf(yaml, needle) })]);
  });

  it('refuses a description RFC 6749 section 5.2 does not allow', async () => {
    const yaml = assertPipe('value: "${client.attributes.tier}"\nmatches: gold\ndescription: "naïve"');
    const { errors } = await diagnosticsOf(yaml);
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"naïve"') })]);
  });
});
