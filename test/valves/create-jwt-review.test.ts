/**
 * CreateJwt's claim rules after the attack review (issue 9 follow-up, M3/L3/L4): whole
 * request objects are the caller's, scope from the request needs ScopeCheck before it,
 * string claims must be strings, a literal exp is bounded, and header/claim names are
 * not looked up on Object.prototype.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

/** A config whose pipe runs `before` (valve lines) and then CreateJwt with `createJwt` as its config. */
function config(createJwt: string, before = '      - name: ScopeCheck'): string {
  const body = createJwt.trim().split('\n').map((l) => `          ${l}`).join('\n');
  return `
issuer: http://127.0.0.1:8080
keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    audiences: [https://api.example.com]
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
${before}
      - name: CreateJwt
        config:
          keystore: signing
${body}
      - name: TokenResponse
`;
}

async function diagnosticsOf(createJwt: string, before?: string) {
  const yaml = config(createJwt, before);
  const { engine, diagnostics } = await load(yaml, { env: ENV });
  const relevant = diagnostics.filter((d) => d.code !== 'keystore_invalid');
  return { yaml, engine, errors: relevant.filter((d) => d.severity === 'error'), warnings: relevant.filter((d) => d.severity === 'warning') };
}

const at = (yaml: string, needle: string) => positionOf(yaml, needle);

describe('CreateJwt: whole request objects are the caller\'s', () => {
  it.each([
    ['the whole request', 'sub: "${request}"'],
    ['the whole params map', 'sub: "${request.params}"'],
    ['the whole request inside text', 'sub: "svc:${request}"'],
  ])('refuses sub from %s, at the template', async (_name, claim) => {
    const { yaml, engine, errors } = await diagnosticsOf(`jwt_claims:\n  ${claim}`);
    expect(engine).toBeUndefined();
    const value = claim.slice('sub: '.length);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors).toEqual(errors.map(() => expect.objectContaining({ code: 'valve_config', ...at(yaml, value) })));
  });
});

describe('CreateJwt: scope and grant without ScopeCheck before', () => {
  it('refuses scope: ${request.requested_scope} inside text when no ScopeCheck runs before', async () => {
    const { yaml, engine, errors } = await diagnosticsOf('jwt_claims:\n  scope: "s ${request.requested_scope}"', '      - name: ClientAuthenticate');
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, '"s ${request.requested_scope}"') })]);
  });

  it('keeps it a warning when ScopeCheck runs before', async () => {
    const { yaml, engine, errors, warnings } = await diagnosticsOf('jwt_claims:\n  scope: "s ${request.requested_scope}"');
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, '"s ${request.requested_scope}"') })]);
  });

  it('takes scope: ${request.scope} (the granted scope) without a word after ScopeCheck', async () => {
    const { engine, errors, warnings } = await diagnosticsOf('jwt_claims:\n  scope: "${request.scope}"');
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    expect(warnings.filter((w) => w.code === 'valve_config')).toEqual([]);
  });

  it('warns at scope: ${request.scope} with no ScopeCheck before (FortifiedID\'s documented pipe): nothing is granted, so the claim is empty', async () => {
    const { yaml, engine, errors, warnings } = await diagnosticsOf('jwt_claims:\n  scope: "${request.scope}"', '      - name: ClientAuthenticate');
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, '"${request.scope}"'), message: expect.stringMatching(/add ScopeCheck/) })]);
  });

  it('warns when a claim reads the grant and no ScopeCheck runs before', async () => {
    const { yaml, errors, warnings } = await diagnosticsOf('jwt_claims:\n  granted: "${grant.audience}"', '      - name: ClientAuthenticate');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, '"${grant.audience}"') })]);
  });

  it('does not warn about the grant after ScopeCheck', async () => {
    const { errors, warnings } = await diagnosticsOf('jwt_claims:\n  granted: "${grant.audience}"');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('CreateJwt: other claims from form parameters', () => {
  it.each(['roles', 'azp', 'tid', 'act'])('warns that a caller chooses %s, at the template', async (name) => {
    const { yaml, engine, errors, warnings } = await diagnosticsOf(`jwt_claims:\n  ${name}: "\${request.params.${name}}"`);
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, `"\${request.params.${name}}"`) })]);
  });
});

describe('CreateJwt: string claims must be strings', () => {
  it.each([
    ['scope from the requested list', 'scope: "${request.requested_scope}"', '"${request.requested_scope}"'],
    ['scope from the granted list', 'scope: "${grant.scope}"', '"${grant.scope}"'],
    ['sub from the client\'s scopes', 'sub: "${client.scopes}"', '"${client.scopes}"'],
    ['iss from the attributes map', 'iss: "${client.attributes}"', '"${client.attributes}"'],
    ['client_id from the whole client', 'client_id: "${client}"', '"${client}"'],
  ])('refuses %s, at the template', async (_name, claim, value) => {
    const { yaml, engine, errors } = await diagnosticsOf(`jwt_claims:\n  ${claim}`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, value) })]);
  });

  it('accepts a list joined inside a longer string and single values', async () => {
    const { errors } = await diagnosticsOf('jwt_claims:\n  scope: "extra ${grant.scope}"\n  sub: "${client.attributes.owner}"\n  client_id: "${client.client_id}"');
    expect(errors).toEqual([]);
  });
});

describe('CreateJwt: literal time claims', () => {
  const now = Math.floor(Date.now() / 1000);
  it.each([
    ['more than a year ahead', now + 400 * 24 * 3600],
    ['in the past', now - 60],
    ['zero', 0],
  ])('refuses a literal exp %s, at the value', async (_name, exp) => {
    const { yaml, engine, errors } = await diagnosticsOf(`jwt_claims:\n  exp: ${exp}`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, `exp: ${exp}`), col: at(yaml, `exp: ${exp}`).col + 5 })]);
  });

  it('accepts a literal exp within a year (with the override warning)', async () => {
    const { errors, engine } = await diagnosticsOf(`jwt_claims:\n  exp: ${now + 3600}`);
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });

  it.each(['nbf', 'iat'])('warns at the key when %s is overridden', async (name) => {
    const { yaml, errors, warnings } = await diagnosticsOf(`jwt_claims:\n  ${name}: "\${now}"`);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, `${name}: "`) })]);
  });

  it('reads exp: 0x10 as YAML 1.2 does (16), which is in the past and refused', async () => {
    const { yaml, errors } = await diagnosticsOf('jwt_claims:\n  exp: 0x10');
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...at(yaml, '0x10') })]);
  });
});

describe('CreateJwt: names are not looked up on Object.prototype', () => {
  it('accepts headers and claims named constructor, toString, hasOwnProperty', async () => {
    const { errors, warnings, engine } = await diagnosticsOf(
      'jwt_headers: { constructor: x, toString: y }\njwt_claims: { hasOwnProperty: z, valueOf: w, constructor: v }');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(engine).toBeDefined();
  });
});
