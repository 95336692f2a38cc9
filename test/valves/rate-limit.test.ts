/**
 * RateLimit on the memory store: the limit per key value and window, the 429 a client
 * sees, budgets of other tenants untouched, the window rolling over (the engine's `now`
 * seam, no sleeping), shared budgets by `id`, empty keys counted per client, and what
 * `sluice check` says about its place and key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/diagnostics.js';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const S = 'rate-limit-secret-0123456789';
const WINDOW_START = 1_800_000_000; // a multiple of 60: a fresh window starts here
let now = WINDOW_START;

const rp = (id: string, pipe: string, attributes = '') => `  - { client_id: ${id}, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: ${pipe}${attributes} }`;
const tokenValves = `
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse`;

const CONFIG = `
issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
${rp('acme-1', 'tenant', ', attributes: { tenant: acme }')}
${rp('acme-2', 'tenant', ', attributes: { tenant: acme }')}
${rp('beta-1', 'tenant', ', attributes: { tenant: beta }')}
${rp('loner-1', 'tenant')}
${rp('loner-2', 'tenant')}
${rp('shared-1', 'shared-a')}
${rp('shared-2', 'shared-b')}
${rp('chooser', 'chosen')}
pipes:
  - id: tenant
    valves:
      - name: ClientAuthenticate
      - name: RateLimit
        config: { limit: 2, window: 1m, key: "\${client.attributes.tenant}" }${tokenValves}
  - id: shared-a
    valves:
      - name: RateLimit
        config: { id: everyone, limit: 2, window: 60, key: one-budget }${tokenValves}
  - id: shared-b
    valves:
      - name: RateLimit
        config: { id: everyone, limit: 2, window: 60, key: one-budget }${tokenValves}
  - id: chosen
    valves:
      - name: RateLimit
        config: { limit: 1, window: 10s, key: "\${request.params.bucket}" }${tokenValves}
`;

let s: Running;
beforeAll(async () => {
  s = await serve(CONFIG, { env: { S }, now: () => now });
});
afterAll(() => s.close());

const token = (client: string, form: Record<string, string> = {}) => postToken(s.url, { grant_type: 'client_credentials', ...form }, { authorization: basic(client, S) });

// Each test starts at the beginning of a window of its own.
let hour = 0;
beforeEach(() => {
  now = WINDOW_START + ++hour * 3600;
});

describe('RateLimit', () => {
  it('answers 429 temporarily_unavailable with Retry-After to the seconds left in the window', async () => {
    now += 15; // 45 seconds of the window left
    expect((await token('acme-1')).status).toBe(200);
    expect((await token('acme-1')).status).toBe(200);
    const refused = await token('acme-1');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('temporarily_unavailable');
    expect(typeof refused.body.error_description).toBe('string');
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.body.access_token).toBeUndefined();
  });

  it('counts per tenant: the clients of one tenant share its budget, other tenants keep theirs', async () => {
    expect((await token('acme-1')).status).toBe(200);
    expect((await token('acme-2')).status).toBe(200);
    expect((await token('acme-2')).status).toBe(429);
    expect((await token('acme-1')).status).toBe(429);
    expect((await token('beta-1')).status).toBe(200);
    expect((await token('beta-1')).status).toBe(200);
  });

  it('the budget comes back when the window rolls over', async () => {
    now += 59;
    await token('beta-1');
    await token('beta-1');
    const refused = await token('beta-1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1'); // never 0
    now += 1; // the next minute
    expect((await token('beta-1')).status).toBe(200);
  });

  it('a key that resolves empty counts per client, never one bucket for all such clients', async () => {
    expect((await token('loner-1')).status).toBe(200);
    expect((await token('loner-1')).status).toBe(200);
    expect((await token('loner-1')).status).toBe(429);
    expect((await token('loner-2')).status).toBe(200);
  });

  it('valves with the same id share one budget across pipes', async () => {
    expect((await token('shared-1')).status).toBe(200);
    expect((await token('shared-2')).status).toBe(200);
    expect((await token('shared-1')).status).toBe(429);
    expect((await token('shared-2')).status).toBe(429);
  });

  it('a hostile key value (huge, odd characters) is counted like any other, without an error', async () => {
    const huge = 'x'.repeat(1500) + ':ratelimit:*\u0000\r\n';
    expect((await token('chooser', { bucket: huge })).status).toBe(200);
    expect((await token('chooser', { bucket: huge })).status).toBe(429);
    expect((await token('chooser', { bucket: '__proto__' })).status).toBe(200);
    expect((await token('chooser', { bucket: 'constructor' })).status).toBe(200);
  });

  it('a wrong secret before RateLimit is refused as usual (401): authentication comes first here', async () => {
    const wrong = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('beta-1', 'not-the-secret-000000') });
    expect(wrong.status).toBe(401);
    expect((await token('beta-1')).status).toBe(200);
  });
});

describe('RateLimit: sluice check', () => {
  const pipe = (valves: string) => `
issuer: http://127.0.0.1:8080
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - { client_id: with-tenant, client_secret: "\${env.S}", client_credentials_pipe_id: p, attributes: { tenant: acme } }
  - { client_id: no-tenant, client_secret: "\${env.S}", client_credentials_pipe_id: p }
pipes:
  - id: p
    valves:
${valves}
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
  async function messages(yaml: string) {
    const { diagnostics, engine } = await load(yaml, { env: { S } });
    return { lines: diagnostics.map((d) => ({ ...d, text: formatDiagnostic(d) })), loads: engine !== undefined };
  }

  it('warns when it stands before the authenticating valve, and says why', async () => {
    const yaml = pipe(`      - name: RateLimit
        config: { limit: 5, window: 1m }
      - name: ClientAuthenticate`);
    const { lines, loads } = await messages(yaml);
    expect(loads).toBe(true);
    const at = positionOf(yaml, '{ limit: 5');
    const warning = lines.find((d) => d.line === at.line && d.severity === 'warning');
    expect(warning?.message).toMatch(/before the client is authenticated/);
  });

  it('says nothing about the place after ClientAuthenticate, or in a pipe without one', async () => {
    for (const valves of [`      - name: ClientAuthenticate
      - name: RateLimit
        config: { limit: 5, window: 1m }`, `      - name: RateLimit
        config: { limit: 5, window: 1m }`]) {
      const { lines, loads } = await messages(pipe(valves));
      expect(loads).toBe(true);
      expect(lines.filter((d) => d.severity === 'warning' && /RateLimit|authenticated/.test(d.message))).toEqual([]);
    }
  });

  it('warns at the key: an attribute some clients lack, a constant, a request parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['${client.attributes.tenant}', /'no-tenant'.*counted per client_id/],
      ['everyone', /share one budget/],
      ['${request.params.bucket}', /escapes the limit/],
    ];
    for (const [key, message] of cases) {
      const yaml = pipe(`      - name: RateLimit
        config:
          limit: 5
          window: 1m
          key: "${key}"`);
      const { lines, loads } = await messages(yaml);
      expect(loads).toBe(true);
      const at = positionOf(yaml, `"${key}"`);
      expect(lines.find((d) => d.line === at.line && d.col === at.col)?.message).toMatch(message);
    }
  });

  it('refuses a config without limit or window, a bad window or a bad id, at the value', async () => {
    for (const [config, needle] of [
      ['{ window: 1m }', '{ window: 1m }'],
      ['{ limit: 0, window: 1m }', 'limit: 0'],
      ['{ limit: 5, window: soon }', 'soon'],
      ['{ limit: 5, window: 2d }', '2d'],
      ['{ limit: 5, window: 1m, id: "a b" }', '"a b"'],
    ] as const) {
      const yaml = pipe(`      - name: RateLimit
        config: ${config}`);
      const { lines, loads } = await messages(yaml);
      expect(loads, config).toBe(false);
      const at = positionOf(yaml, needle);
      expect(lines.some((d) => d.severity === 'error' && d.line === at.line), config).toBe(true);
    }
  });
});
