/**
 * `sluice check` on the traps of FortifiedID's documented client_credentials pipe, in a
 * response a pipe builds (TokenResponse's fields here; JsonObjectCreate's src uses the same
 * rules, valves/response-checks.ts): an expires_in that disagrees with jwt_ttl, a constant
 * scope, and an iss that is not the server's.
 */
import { describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

function config(jwtTtl: string, fields: string, claims = 'appid: ${client.attributes.appid}'): string {
  return BASIC_CONFIG.replace('          jwt_ttl: 10\n', `          jwt_ttl: ${jwtTtl}\n`)
    .replace(/          jwt_claims:\n(?:            .*\n)+/, `          jwt_claims:\n            ${claims}\n`)
    .replace('      - name: TokenResponse\n', `      - name: TokenResponse\n        config:\n          fields:\n${fields.trim().split('\n').map((l) => `            ${l}`).join('\n')}\n`);
}

async function warnings(yaml: string) {
  const { diagnostics } = await load(yaml, { env: BASIC_ENV });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return diagnostics.filter((d) => d.severity === 'warning' && d.code === 'valve_config');
}

describe('check: the response a pipe builds', () => {
  it('warns at expires_in when it disagrees with jwt_ttl (minutes), with both numbers', async () => {
    const yaml = config('60', 'expires_in: 7200\ncustom: x');
    const found = await warnings(yaml);
    expect(found).toEqual([expect.objectContaining({ ...positionOf(yaml, '7200') })]);
    expect(found[0]!.message).toContain('7200');
    expect(found[0]!.message).toContain('3600');
    expect(found[0]!.message).toContain('jwt_ttl 60');
  });

  it('is quiet when they agree, in any spelling (3600 = 60 minutes = 1h; "@int:3600")', async () => {
    expect(await warnings(config('60', 'expires_in: 3600'))).toEqual([]);
    expect(await warnings(config('1h', 'expires_in: "@int:3600"'))).toEqual([]);
    expect(await warnings(config('60', 'expires_in: ${now}'))).toEqual([]);
  });

  it('warns at a constant scope, quiet at the granted one', async () => {
    const yaml = config('60', 'scope: read');
    expect(await warnings(yaml)).toEqual([expect.objectContaining({ ...positionOf(yaml, 'read\n') })]);
    expect(await warnings(config('60', 'scope: ${request.scope}'))).toEqual([]);
  });

  it("warns at an iss that is not the server's issuer, saying what resource servers then need", async () => {
    const yaml = config('60', 'custom: x', 'iss: https://op.example.com');
    const found = await warnings(yaml);
    expect(found).toEqual([expect.objectContaining({ ...positionOf(yaml, 'iss:') })]);
    expect(found[0]!.message).toMatch(/resource servers/);
    expect(found[0]!.message).toContain('https://op.example.com');
  });
});
