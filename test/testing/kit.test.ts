/**
 * sluice/testing: one valve or a whole pipe, run through the real loader and the token
 * endpoint's steps without HTTP. What a test sees: claims, state, issued tokens, the
 * response and the OAuth error; config problems as errors that say where.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { defineValve, InvalidScope } from '../../engine/index.js';
import { runValve, testClient, testPipe, testValve, TestKitConfigError, tokenRequest } from '../../engine/testing/index.js';

const TenantClaims = defineValve({
  name: 'TenantClaims',
  setsClaims: true,
  configSchema: { type: 'object', properties: { tenant: { type: 'string', minLength: 1 } }, required: ['tenant'] },
  create(config) {
    return async function tenantClaims(flow, next) {
      if (flow.request.params.tenant !== undefined && flow.request.params.tenant !== config.tenant) throw InvalidScope('another tenant');
      flow.claims.tenant = config.tenant;
      flow.state.tenant = config.tenant;
      await next();
    };
  },
});

/** Counts requests per client in the engine store, for a window: shows the store and the clock. */
const Counter = defineValve({
  name: 'Counter',
  configSchema: { type: 'object', properties: { window: { type: 'integer', default: 60 } } },
  create(config, engine) {
    return async function counter(flow, next) {
      flow.state.count = await engine.store.increment(`count:${flow.client.client_id}`, config.window);
      await next();
    };
  },
});

describe('runValve', () => {
  it('runs the valve after client authentication: claims and state, no error, no response of its own', async () => {
    const result = await runValve(TenantClaims, { tenant: 'acme' });
    expect(result.error).toBeUndefined();
    expect(result.claims).toEqual({ tenant: 'acme' });
    expect(result.state).toEqual({ tenant: 'acme' });
    expect(result.response).toBeUndefined();
    expect(result.flow?.authentication).toMatchObject({ client_id: 'svc' });
  });

  it('an OAuth error the valve throws is the result: code, status, description', async () => {
    const result = await runValve(TenantClaims, { tenant: 'acme' }, tokenRequest({ tenant: 'other' }));
    expect(result.error).toMatchObject({ code: 'invalid_scope', status: 400, description: 'another tenant' });
    expect(result.status).toBe(400);
    expect(result.claims).toEqual({});
  });

  it('a valve that throws something else is server_error, with the valve and the cause from the log', async () => {
    const Buggy = defineValve({ name: 'Buggy', create: () => async function buggy() { throw new TypeError('undefined is not a function'); } });
    const result = await runValve(Buggy);
    expect(result.error).toMatchObject({ code: 'server_error', status: 500, valve: 'Buggy' });
    expect(result.error?.detail).toMatch(/undefined is not a function/);
    expect(result.body.error_description).not.toMatch(/undefined is not a function/); // what the client sees
  });

  it('a config the schema refuses is a TestKitConfigError naming the key', async () => {
    const failure = await runValve(TenantClaims, { tenant: 42 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TestKitConfigError);
    expect((failure as TestKitConfigError).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['schema']);
    expect((failure as Error).message).toMatch(/tenant/);
  });

  it('a create() that throws is a TestKitConfigError naming the valve', async () => {
    const Failing = defineValve({ name: 'Failing', create() { throw new Error('no directory configured'); } });
    await expect(testValve(Failing)).rejects.toThrow(/valve 'Failing' failed to start: no directory configured/);
  });

  it('a definition that clashes with a built-in name is refused', async () => {
    const Clash = defineValve({ name: 'CreateJwt', create: () => async (_flow, next) => next() });
    await expect(testValve(Clash)).rejects.toThrow(/'CreateJwt' is already defined by built-in/);
  });
});

describe('clients and credentials', () => {
  it('a wrong secret, an unknown client: invalid_client 401, and the pipe never ran', async () => {
    const kit = await testValve(TenantClaims, { tenant: 'acme' });
    for (const request of [{ secret: 'wrong-secret' }, { client: 'stranger' }]) {
      const result = await kit.run(request);
      expect(result.error).toMatchObject({ code: 'invalid_client', status: 401 });
      expect(result.flow).toBeUndefined();
    }
  });

  it('clients with attributes, scopes and client_secret_post, named by the request', async () => {
    const kit = await testPipe({ valves: [{ name: 'ScopeCheck' }] }, {
      clients: [testClient(), testClient({ client_id: 'poster', token_endpoint_auth_method: 'client_secret_post', scopes: ['a', 'b'] })],
    });
    const result = await kit.run(tokenRequest({ scope: 'b' }, { client: 'poster' }));
    expect(result.error?.code).toBe('server_error'); // a pipe with no answering valve fails, as when served
    expect(result.grant.scope).toEqual(['b']);
    const refused = await kit.run(tokenRequest({ scope: 'c' }, { client: 'poster' }));
    expect(refused.error?.code).toBe('invalid_scope');
  });
});

describe('testPipe', () => {
  const PIPE = `
    id: m2m
    valves:
      - name: ScopeCheck
      - name: TenantClaims
        config: { tenant: acme }
      - { name: CreateJwt, config: { keystore: signing, jwt_ttl: 5 } }
      - name: TokenResponse
  `;

  it('a pipe in YAML answers with a token that verifies against the kit keys; issued and claims are there', async () => {
    const kit = await testPipe(PIPE, { valves: [TenantClaims], now: 1_900_000_000 });
    expect(kit.warnings).toEqual([]);
    const result = await kit.run(tokenRequest({ scope: 'read' }));
    expect(result.error).toBeUndefined();
    expect(result.response).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'read' });
    const { payload } = await jwtVerify(String(result.response!.access_token), createLocalJWKSet(kit.jwks as JSONWebKeySet), {
      issuer: kit.issuer,
      currentDate: new Date(1_900_000_010 * 1000),
    });
    expect(payload).toMatchObject({ tenant: 'acme', client_id: 'svc', scope: 'read', iat: 1_900_000_000, exp: 1_900_000_300 });
    expect(result.issued.access_token).toMatchObject({ expires_at: 1_900_000_300, scope: ['read'] });
  });

  it('a mistake in a YAML pipe is told at the line and column of that text', async () => {
    const failure = await testPipe(PIPE.replace('tenant: acme', 'tenant: 7'), { valves: [TenantClaims] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TestKitConfigError);
    expect((failure as Error).message).toMatch(/pipe line 6, column 27: schema: .*string/);
  });

  it('an unknown valve in a pipe object is an error naming it', async () => {
    await expect(testPipe({ valves: [{ name: 'TenantClaimz' }] })).rejects.toThrow(/TenantClaimz/);
  });

  it('the clock drives the store: a counter window ends when the clock passes it', async () => {
    const kit = await testValve(Counter, { window: 60 }, { now: 1_800_000_000 });
    expect((await kit.run()).state.count).toBe(1);
    expect((await kit.run()).state.count).toBe(2);
    kit.clock.advance(61);
    expect((await kit.run()).state.count).toBe(1);
  });

  it('plugins load from files as under plugins:, relative to baseDir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kit-'));
    try {
      writeFileSync(join(dir, 'team.mjs'), `export default {
        name: 'TeamClaim',
        configSchema: { type: 'object', properties: { team: { type: 'string' } }, required: ['team'] },
        create: (config) => async function teamClaim(flow, next) { flow.claims.team = config.team; await next(); },
      };`);
      const kit = await testPipe({ valves: [{ name: 'TeamClaim', config: { team: 'payments' } }] }, { plugins: ['./team.mjs'], baseDir: dir });
      expect((await kit.run()).claims).toEqual({ team: 'payments' });
      await expect(testPipe({ valves: [] }, { plugins: ['./missing.mjs'], baseDir: dir })).rejects.toThrow(/plugin '\.\/missing\.mjs' failed to load/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a valve given both as the one under test and in options.valves is registered once', async () => {
    const result = await runValve(TenantClaims, { tenant: 'acme' }, undefined, { valves: [TenantClaims] });
    expect(result.claims).toEqual({ tenant: 'acme' });
  });
});
