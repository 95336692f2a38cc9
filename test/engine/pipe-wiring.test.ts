/**
 * Pipe wiring (issue 9, items 15 and 21): a valve that reads a dest no enabled valve before
 * it writes is a check error (a disabled CreateJwt used to pass check, then fail every
 * request with a 500); default scopes and audiences a client does not have are errors; a
 * pipe no client uses and a claim-setting valve after CreateJwt are warnings.
 */
import { describe, expect, it } from 'vitest';
import { basic, load, postToken, serve } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789' };

/** One client using pipe `p`, whose valves are `valves` (YAML lines at the list's indent). */
const config = (valves: string, extra = '') => `
plugins: [./minter.mjs]
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read, orders.write]
    audiences: [https://api.example.com]
    client_credentials_pipe_id: p
    attributes: { defaults: [orders.read, nope] }
pipes:
  - id: p
    valves:
${valves.trim().split('\n').map((l) => `      ${l}`).join('\n')}
${extra}`;

// A plugin that mints a token under `dest` and says so; another that sets claims.
const PLUGIN = `
export const minter = {
  name: 'Minter',
  configSchema: { type: 'object', properties: { dest: { type: 'string', default: 'minted' } } },
  writes: (config) => [config.dest],
  create(config) {
    return async function minter(flow, next) {
      flow.issued[config.dest] = { token: 'opaque-' + flow.id, token_type: 'Bearer', expires_at: Math.floor(Date.now() / 1000) + 60, scope: [], claims: {} };
      await next();
    };
  },
};
export const tenantClaim = {
  name: 'TenantClaim',
  setsClaims: true,
  create() {
    return async function tenantClaim(flow, next) { flow.claims.tenant = 'acme'; await next(); };
  },
};
export const undeclared = {
  name: 'Undeclared',
  create() { return async function undeclared(flow, next) { await next(); }; },
};
export const picky = {
  name: 'Picky',
  configSchema: { type: 'object', properties: { level: { type: 'integer' } } },
  check: (config, { clients }) => config.level > clients.length ? [{ severity: 'warning', message: 'level above the client count', path: ['level'] }] : [],
  create() { return async function picky(flow, next) { await next(); }; },
};
export const broken = {
  name: 'BrokenCheck',
  check() { throw new Error('boom'); },
  create() { return async function brokenCheck(flow, next) { await next(); }; },
};
export default [minter, tenantClaim, undeclared, picky, broken];
`;

async function check(valves: string, extra = '') {
  const yaml = config(valves, extra);
  const { engine, diagnostics } = await load(yaml, { env: ENV, files: { 'minter.mjs': PLUGIN } });
  const relevant = diagnostics.filter((d) => d.code !== 'keystore_invalid');
  return { yaml, engine, errors: relevant.filter((d) => d.severity === 'error'), warnings: relevant.filter((d) => d.severity === 'warning') };
}

describe('pipe wiring: reads and writes', () => {
  it('a disabled CreateJwt is an error at the TokenResponse that reads its token', async () => {
    const { yaml, engine, errors } = await check(`
- name: ScopeCheck
- name: CreateJwt
  enabled: false
  config: { keystore: signing }
- name: TokenResponse`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(yaml, 'TokenResponse') })]);
    expect(errors[0]!.message).toMatch(/access_token/);
  });

  it('a TokenResponse reading a dest nobody writes: an error at its token', async () => {
    const { yaml, errors } = await check(`
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse
  config: { token: acces_token }`);
    expect(errors).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(yaml, 'acces_token') })]);
  });

  it('the writer must come before the reader', async () => {
    const { yaml, errors } = await check(`
- name: TokenResponse
- name: CreateJwt
  config: { keystore: signing }`);
    expect(errors).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(yaml, 'TokenResponse') })]);
  });

  it('a plugin that declares it writes the dest satisfies the reader, and serves', async () => {
    const yaml = config(`
- name: Minter
- name: TokenResponse
  config: { token: minted }`);
    const s = await serve(yaml, { env: ENV, files: { 'minter.mjs': PLUGIN } });
    try {
      const r = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('svc', ENV.SVC_SECRET) });
      expect(r.status).toBe(200);
      expect(String(r.body.access_token)).toMatch(/^opaque-/);
    } finally {
      await s.close();
    }
  });

  it('a plugin that declares nothing writes nothing', async () => {
    const { yaml, errors } = await check(`
- name: Undeclared
- name: TokenResponse`);
    expect(errors).toEqual([expect.objectContaining({ code: 'unknown_reference', ...positionOf(yaml, 'TokenResponse') })]);
  });
});

describe("a plugin's check()", () => {
  it('reports its problems in the YAML, with the clients that use the pipe', async () => {
    const { yaml, engine, warnings } = await check(`
- name: Picky
  config: { level: 2 }
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse`);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, '2 }') })]);
  });

  it('a check() that throws is a plugin error at the valve, not a crash', async () => {
    const { yaml, errors } = await check(`
- name: BrokenCheck
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse`);
    expect(errors).toEqual([expect.objectContaining({ code: 'plugin', ...positionOf(yaml, 'BrokenCheck') })]);
  });
});

describe('pipe wiring: claims', () => {
  it('a claim-setting valve after CreateJwt is a warning at its name', async () => {
    const { yaml, engine, warnings } = await check(`
- name: CreateJwt
  config: { keystore: signing }
- name: TenantClaim
- name: TokenResponse`);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'TenantClaim') })]);
  });

  it('before CreateJwt it is fine', async () => {
    const { warnings, errors } = await check(`
- name: TenantClaim
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse`);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('ScopeCheck defaults against the clients that use the pipe', () => {
  it("a default scope the client does not have is an error at that scope", async () => {
    const { yaml, engine, errors } = await check(`
- name: ScopeCheck
  config: { default_scopes: [orders.read, orders.admin] }
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'orders.admin') })]);
    expect(errors[0]!.message).toMatch(/svc/);
  });

  it('a default audience the client does not have is an error at that audience', async () => {
    const { yaml, errors } = await check(`
- name: ScopeCheck
  config: { default_audiences: [https://other.example.com] }
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse`);
    expect(errors).toEqual([expect.objectContaining({ code: 'valve_config', ...positionOf(yaml, 'https://other.example.com') })]);
  });

  it('templated defaults are left to the request', async () => {
    const { errors } = await check(`
- name: ScopeCheck
  config: { default_scopes: ["\${client.attributes.defaults}"] }
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse`);
    expect(errors).toEqual([]);
  });
});

describe('pipes no client uses', () => {
  it('are a warning at the pipe id', async () => {
    const { yaml, engine, warnings } = await check(`
- name: CreateJwt
  config: { keystore: signing }
- name: TokenResponse`, `  - id: orphan
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`);
    expect(engine).toBeDefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_pipe', ...positionOf(yaml, 'orphan') })]);
  });
});
