import { describe, expect, it } from 'vitest';
import { runValve, testClient, testPipe, testValve, tokenRequest } from 'sluice/testing';
import TenantClaims from '../src/tenant-claims.js';

const acme = testClient({ client_id: 'reports', attributes: { tenant: 'acme' } });
const nobody = testClient({ client_id: 'legacy' });
const FROM_CLIENT = { tenant: '${client.attributes.tenant}' };

describe('TenantClaims', () => {
  it("adds the client's tenant to the claims", async () => {
    const result = await runValve(TenantClaims, FROM_CLIENT, tokenRequest(), { clients: [acme] });
    expect(result.error).toBeUndefined();
    expect(result.claims).toEqual({ tenant: 'acme' });
  });

  it('refuses a client without a tenant, unless the claim is optional', async () => {
    const strict = await testValve(TenantClaims, FROM_CLIENT, { clients: [nobody] });
    expect((await strict.run()).error).toMatchObject({ code: 'unauthorized_client', status: 400 });
    const lenient = await testValve(TenantClaims, { ...FROM_CLIENT, optional: true }, { clients: [nobody] });
    const result = await lenient.run();
    expect(result.error).toBeUndefined();
    expect(result.claims).toEqual({});
  });

  it('a caller cannot choose the tenant: form parameters do not reach it', async () => {
    const result = await runValve(TenantClaims, FROM_CLIENT, tokenRequest({ tenant: 'evil' }), { clients: [acme] });
    expect(result.claims).toEqual({ tenant: 'acme' });
  });

  it('refuses a config that names a claim CreateJwt sets, or misspells a key', async () => {
    await expect(testValve(TenantClaims, { ...FROM_CLIENT, claim: 'sub' })).rejects.toThrow(/'sub' is set by CreateJwt/);
    await expect(testValve(TenantClaims, { tenat: 'acme' })).rejects.toThrow(/tenat/);
  });

  it('in a pipe, the token CreateJwt signs carries the tenant', async () => {
    const kit = await testPipe(`
      id: m2m
      valves:
        - name: TenantClaims
          config: { tenant: "\${client.attributes.tenant}", claim: org }
        - { name: CreateJwt, config: { keystore: signing } }
        - name: TokenResponse
    `, { valves: [TenantClaims], clients: [acme] });
    const result = await kit.run();
    expect(result.response).toMatchObject({ token_type: 'Bearer' });
    expect(result.issued.access_token?.claims).toMatchObject({ org: 'acme', client_id: 'reports' });
  });
});
