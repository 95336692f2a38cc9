/**
 * /metrics on the main server (the default), scraped over HTTP and parsed: token requests
 * counted by client, pipe, grant type and outcome; latency per pipe and per valve; key use
 * by kid. Label values are the config's only: callers that send unknown or hostile
 * client ids add no series. `metrics.enabled: false` serves nothing (404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { header } from '../helpers/tokens.js';
import { samplesOf, scrape, valueOf, type Exposition } from '../helpers/prometheus.js';

const TOKENS = 'sluice_token_requests_total';
const ORDERS = { client_id: 'orders-service', pipe: 'm2m-jwt', grant_type: 'client_credentials' };
let s: Running;

beforeAll(async () => {
  s = await serve(BASIC_CONFIG, { env: BASIC_ENV });
});
afterAll(() => s.close());

const metrics = (): Promise<Exposition> => scrape(`${s.url}/metrics`);
const ordersToken = (form: Record<string, string> = {}, secret = BASIC_ENV.ORDERS_SECRET) =>
  postToken(s.url, { grant_type: 'client_credentials', ...form }, { authorization: basic('orders-service', secret) });

describe('token requests', () => {
  it('are counted by client, pipe, grant type and outcome (issued, or the OAuth error code)', async () => {
    const before = await metrics();
    expect((await ordersToken({ scope: 'orders.read' })).status).toBe(200);
    expect((await ordersToken({ scope: 'orders.read' })).status).toBe(200);
    expect((await ordersToken({}, 'a-wrong-secret-0123456789')).status).toBe(401);
    expect((await ordersToken({ scope: 'admin' })).body.error).toBe('invalid_scope');
    const after = await metrics();
    expect(after.types.get(TOKENS)).toBe('counter');
    const delta = (outcome: string) => valueOf(after, TOKENS, { ...ORDERS, outcome }) - valueOf(before, TOKENS, { ...ORDERS, outcome });
    expect(delta('issued')).toBe(2);
    expect(delta('invalid_client')).toBe(1);
    expect(delta('invalid_scope')).toBe(1);
  });

  it('time each request per pipe, and each valve on its own', async () => {
    const before = await metrics();
    expect((await ordersToken()).status).toBe(200);
    const after = await metrics();
    expect(after.types.get('sluice_token_request_duration_seconds')).toBe('histogram');
    const count = (e: Exposition, name: string, labels: Record<string, string>) => valueOf(e, `${name}_count`, labels);
    expect(count(after, 'sluice_token_request_duration_seconds', { pipe: 'm2m-jwt' }) - count(before, 'sluice_token_request_duration_seconds', { pipe: 'm2m-jwt' })).toBe(1);
    for (const valve of ['ClientAuthenticate', 'ScopeCheck', 'CreateJwt', 'TokenResponse']) {
      const labels = { pipe: 'm2m-jwt', valve };
      expect(count(after, 'sluice_valve_duration_seconds', labels) - count(before, 'sluice_valve_duration_seconds', labels)).toBe(1);
      // Cumulative buckets, ending in +Inf = _count.
      const buckets = samplesOf(after, 'sluice_valve_duration_seconds_bucket', labels);
      expect(buckets.at(-1)!.labels.le).toBe('+Inf');
      expect(buckets.at(-1)!.value).toBe(count(after, 'sluice_valve_duration_seconds', labels));
      expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    }
  });

  it('count signatures by the kid that signed them; the key shows before it signs', async () => {
    const kid = String(((await (await fetch(`${s.url}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys[0]!.kid);
    const before = await metrics();
    expect(samplesOf(before, 'sluice_signing_key_use_total', { kid })).toHaveLength(1);
    const answer = await ordersToken();
    expect(header(String(answer.body.access_token)).kid).toBe(kid);
    expect(valueOf(await metrics(), 'sluice_signing_key_use_total', { kid }) - valueOf(before, 'sluice_signing_key_use_total', { kid })).toBe(1);
  });

  it('are answered with the Prometheus text content type, never cached', async () => {
    const response = await fetch(`${s.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${s.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('labels stay bounded', () => {
  it('a caller that is not a registered client counts as "unknown": 50 random client ids add no series', async () => {
    const stranger = (id: string) => postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic(id, 'some-secret-0123456789') });
    expect((await stranger('first-stranger')).status).toBe(401);
    const before = await metrics();
    const hostile = ['a"b', 'x\ny', 'evil}{le="1"', 'é'.repeat(300), 'z'.repeat(5000)];
    const ids = [...hostile, ...Array.from({ length: 45 }, () => `client-${Math.random().toString(36).slice(2)}`)];
    for (const id of ids) expect((await stranger(id)).status).toBe(401);
    const after = await metrics();
    expect(after.samples.length).toBe(before.samples.length);
    const clientIds = new Set(samplesOf(after, TOKENS).map((sample) => sample.labels.client_id));
    for (const id of [...ids, 'first-stranger']) expect(clientIds.has(id)).toBe(false);
    expect(clientIds.has('unknown')).toBe(true);
    const unknown = { client_id: 'unknown', pipe: 'none', grant_type: 'client_credentials', outcome: 'invalid_client' };
    expect(valueOf(after, TOKENS, unknown) - valueOf(before, TOKENS, unknown)).toBe(50);
  });

  it('a grant type that is not ours is "none", however it is spelt', async () => {
    const before = await metrics();
    const answer = await postToken(s.url, { grant_type: `urn:x:${'y'.repeat(200)}` }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
    expect(answer.body.error).toBe('unsupported_grant_type');
    const after = await metrics();
    const labels = { client_id: 'unknown', pipe: 'none', grant_type: 'none', outcome: 'unsupported_grant_type' };
    expect(valueOf(after, TOKENS, labels) - valueOf(before, TOKENS, labels)).toBe(1);
    expect(after.samples.some((sample) => Object.values(sample.labels).some((v) => v.includes('yyyy')))).toBe(false);
  });
});

describe('metrics.enabled: false', () => {
  it('serves no /metrics (404), and tokens are issued as before', async () => {
    const off = await serve(`${BASIC_CONFIG}\nmetrics: { enabled: false }\n`, { env: BASIC_ENV });
    try {
      const response = await fetch(`${off.url}/metrics`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: string }).error).toBe('not_found');
      const answer = await postToken(off.url, { grant_type: 'client_credentials' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
      expect(answer.status).toBe(200);
    } finally {
      await off.close();
    }
  });

  it('metrics.path moves them', async () => {
    const moved = await serve(`${BASIC_CONFIG}\nmetrics: { path: /internal/prometheus }\n`, { env: BASIC_ENV });
    try {
      expect((await fetch(`${moved.url}/metrics`)).status).toBe(404);
      expect((await scrape(`${moved.url}/internal/prometheus`)).types.get(TOKENS)).toBe('counter');
    } finally {
      await moved.close();
    }
  });
});
