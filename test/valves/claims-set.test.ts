/**
 * ClaimsSet: claims from templates end up in the JWT; a claim that says who the token is
 * for (iss, sub, aud, client_id, scope, jti, cnf) or when (exp, iat, nbf) cannot come
 * from what the caller sends: CreateJwt's rules, applied to ClaimsSet's claims.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { positionOf } from '../helpers/positions.js';
import { diagnosticsOf, ENV, flowConfig, GOLD, GRANT } from './flow-config.js';

function claimsPipe(claims: string): string {
  return flowConfig(`
  - id: main
    valves:
      - name: ScopeCheck
      - name: ClaimsSet
        config:
          claims:
${claims.trim().split('\n').map((l) => `            ${l}`).join('\n')}
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
}

describe('ClaimsSet', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(claimsPipe('tenant: "${client.attributes.tenant}"\nlabel: "tier-${client.attributes.tier}"\nregions: "${client.attributes.regions}"\nsub: "${client.attributes.service_sub}"\nversion: 2'), { env: ENV });
  });
  afterAll(() => s.close());

  it('puts its claims into the token, types kept; sub from a client attribute replaces the client_id', async () => {
    const r = await postToken(s.url, GRANT, GOLD);
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token), { issuer: 'http://127.0.0.1:8080' });
    expect(payload).toMatchObject({ tenant: 'acme', label: 'tier-gold', regions: ['eu-west', 'eu-north'], sub: 'svc:gold', version: 2, client_id: 'gold' });
  });
});

describe('ClaimsSet: check', () => {
  it.each([
    ['sub', 'sub: "${request.params.sub}"'],
    ['aud', 'aud: "${request.audience}"'],
    ['client_id', 'client_id: "${request.params.client}"'],
    ['jti', 'jti: "${request.params.jti}"'],
    ['cnf', 'cnf: { jkt: "${request.params.jkt}" }'],
    ['exp', 'exp: "${request.params.exp}"'],
  ])('refuses %s from the request, at the template', async (_, line) => {
    const yaml = claimsPipe(line);
    const { engine, errors } = await diagnosticsOf(yaml);
    expect(engine).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
    const needle = line.slice(line.indexOf('"'));
    for (const e of errors) expect(e).toMatchObject({ code: 'valve_config', line: positionOf(yaml, needle).line });
  });

  it('only warns about another claim from the request; the config loads', async () => {
    const yaml = claimsPipe('tenant: "${request.params.tenant}"');
    const { engine, errors, warnings } = await diagnosticsOf(yaml);
    expect(engine).toBeDefined();
    expect(errors).toEqual([]);
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '"${request.params.tenant}"') }));
  });

  it('warns when it stands after CreateJwt: its claims would miss the token', async () => {
    const yaml = flowConfig(`
  - id: main
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: ClaimsSet
        config: { claims: { tenant: x } }
      - name: TokenResponse
`);
    const { warnings } = await diagnosticsOf(yaml);
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'ClaimsSet') }));
  });
});
