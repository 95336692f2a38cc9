/**
 * config/examples/flow-control.yaml as an operator runs it, through the built CLI:
 * `sluice check` passes; `sluice serve -c` issues tokens whose `team` comes from a directory
 * service (a local upstream this test starts), only for services marked for the lookup
 * (exec_if); refuses a service the directory disables (FlowFail); hands a client that asks
 * again the token it holds (TokenCache; the directory's answer is cached, so it is asked
 * once); answers 503 while the
 * directory is down; and, with the limit lowered and a Redis store, two instances share
 * one budget per tenant (RateLimit: 429 with Retry-After).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, requireBuild, ROOT, serve, trackedTempDir, removeTempDirs, type Served } from '../cli/cli.js';
import { RedisServer } from '../helpers/redis.js';
import { upstream, type Upstream } from '../valves/http-upstream.js';

const FILE = 'config/examples/flow-control.yaml';
const TEXT = readFileSync(join(ROOT, FILE), 'utf8');
/** The secrets the example publishes in its header comment. */
const SECRETS: Record<string, string> = Object.fromEntries(
  [...TEXT.matchAll(/^#\s+(billing|orders|reports)\s+(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
);
const DIRECTORY_TOKEN = 'directory-token-never-logged';
const TEAMS: Record<string, { team: string; status: string }> = {
  '/services/billing': { team: 'payments', status: 'active' },
  '/services/reports': { team: 'analytics', status: 'disabled' },
};

let directory: Upstream;
let served: Served;
const processes: Served[] = [];

function env(): Record<string, string> {
  return { DIRECTORY_URL: directory.origin, DIRECTORY_TOKEN };
}

async function token(url: string, client: string, form: Record<string, string> = {}) {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client}:${SECRETS[client]}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...form }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  requireBuild();
  expect(Object.keys(SECRETS).sort()).toEqual(['billing', 'orders', 'reports']);
  directory = await upstream((seen, res) => {
    const answer = TEAMS[seen.target];
    res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answer ?? { error: 'unknown' }));
  });
  served = await serve(FILE, { env: env() });
  processes.push(served);
});
afterAll(async () => {
  for (const p of processes) p.kill();
  await directory?.close();
  removeTempDirs();
});

describe('the flow-control example', () => {
  it('passes sluice check with DIRECTORY_URL and DIRECTORY_TOKEN set (the generated keystore only warns)', async () => {
    const { text, report } = await checkBoth(FILE, { env: env() });
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(report.diagnostics.map((d) => d.code)).toEqual(['keystore_invalid']);
  });

  it('puts the directory team into the token of a service marked for the lookup, and reuses that token', async () => {
    const first = await token(served.url, 'billing', { scope: 'invoices.read' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const { payload } = await jwtVerify(first.body.access_token as string, createRemoteJWKSet(new URL(`${served.url}/jwks`)), { issuer: served.url });
    expect(payload).toMatchObject({ sub: 'billing', client_id: 'billing', scope: 'invoices.read', team: 'payments', aud: 'https://api.example.com' });
    const billingCalls = directory.seen.filter((s) => s.target === '/services/billing');
    expect(billingCalls).toHaveLength(1);
    expect(billingCalls[0]!.headers.authorization).toBe(`Bearer ${DIRECTORY_TOKEN}`);

    const again = await token(served.url, 'billing', { scope: 'invoices.read' });
    expect(again.status).toBe(200);
    expect(again.body.access_token).toBe(first.body.access_token); // TokenCache
    expect(again.body.expires_in as number).toBeLessThanOrEqual(first.body.expires_in as number);
    expect(directory.seen.filter((s) => s.target === '/services/billing')).toHaveLength(1);

    const otherScope = await token(served.url, 'billing', { scope: 'invoices.write' });
    expect(otherScope.status).toBe(200);
    expect(otherScope.body.access_token).not.toBe(first.body.access_token);
  });

  it('does not call the directory for a service not marked for it (exec_if), and issues its token without a team', async () => {
    const before = directory.seen.length;
    const answer = await token(served.url, 'orders');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { payload } = await jwtVerify(answer.body.access_token as string, createRemoteJWKSet(new URL(`${served.url}/jwks`)));
    expect(payload.sub).toBe('orders');
    expect(payload).not.toHaveProperty('team');
    expect(directory.seen.length).toBe(before);
  });

  it('refuses a service the directory disables (FlowFail), with no token', async () => {
    const answer = await token(served.url, 'reports');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'unauthorized_client', error_description: 'this service is disabled in the directory' });
  });

  it('refuses a wrong secret before any valve runs (the engine authenticates first)', async () => {
    const before = directory.seen.length;
    const response = await fetch(`${served.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('billing:wrong').toString('base64')}` },
      body: 'grant_type=client_credentials&scope=invoices.write',
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
    expect(directory.seen.length).toBe(before);
  });

  it('answers 503 temporarily_unavailable while the directory is down, and never logs its token', async () => {
    // A second instance whose directory is a closed port; billing is not cached there.
    const down = await upstream(() => undefined);
    const origin = down.origin;
    await down.close();
    const instance = await serve(FILE, { env: { DIRECTORY_URL: origin, DIRECTORY_TOKEN } });
    processes.push(instance);
    const answer = await token(instance.url, 'billing');
    expect(answer.status).toBe(503);
    expect(answer.body.error).toBe('temporarily_unavailable');
    expect(JSON.stringify(answer.body)).not.toContain('127.0.0.1');
    expect((await token(instance.url, 'orders')).status).toBe(200); // no lookup, no outage
    expect(instance.stdout() + instance.stderr()).not.toContain(DIRECTORY_TOKEN);
    expect(served.stdout() + served.stderr()).not.toContain(DIRECTORY_TOKEN);
  });
});

describe('the flow-control example on Redis, limit lowered to 3', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('two instances share one budget per tenant: the 4th login of tenant-a is 429 with Retry-After; tenant-b is not affected', async () => {
    const dir = trackedTempDir();
    const lowered = TEXT.replace('limit: 2000', 'limit: 3').replace('# store: { type: redis', 'store: { type: redis');
    expect(lowered).not.toBe(TEXT);
    writeFileSync(join(dir, 'flow-control.yaml'), lowered);
    const options = { cwd: dir, env: { ...env(), REDIS_URL: redis.url } };
    const [a, b] = await Promise.all([serve('flow-control.yaml', options), serve('flow-control.yaml', options)]);
    processes.push(a!, b!);
    // tenant-a: billing and orders share its budget, whichever instance they reach.
    expect((await token(a!.url, 'orders')).status).toBe(200);
    expect((await token(b!.url, 'billing')).status).toBe(200);
    expect((await token(a!.url, 'orders')).status).toBe(200); // a reused token counts too
    const over = await token(b!.url, 'orders');
    expect(over.status).toBe(429);
    expect(over.body.error).toBe('temporarily_unavailable');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(over.body).not.toHaveProperty('access_token');
    // tenant-b has its own budget (reports is refused by the directory, after the limit).
    expect((await token(a!.url, 'reports')).body.error).toBe('unauthorized_client');
  });
});
