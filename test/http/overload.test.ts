/**
 * server.overload's memory limits, in process: a limit the process is always past (1 byte
 * of RSS, a sliver of the heap) puts it in overload after two samples. Then the token,
 * introspection (and revocation, userinfo) endpoints answer 503 temporarily_unavailable
 * with Retry-After; discovery and the JWKS still answer, /healthz stays 200 and /readyz
 * says overloaded; the log says why, once. (The event-loop limit is tested through the binary:
 * test/cli/serve-overload.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { basic, BASIC_CONFIG, BASIC_ENV, postToken, serve, type Running } from '../helpers/sluice.js';

const servers: Running[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function sluice(overload: string): Promise<Running> {
  const s = await serve(`server: { overload: ${overload} }\n${BASIC_CONFIG}`, { env: BASIC_ENV });
  servers.push(s);
  return s;
}

const token = (s: Running) => postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });

/** Token requests until one is refused (the sampler runs once a second). */
async function firstRefusal(s: Running) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await token(s);
    if (answer.status !== 200 || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('server.overload: memory limits', () => {
  it('past max_rss_bytes: 503 temporarily_unavailable with the default Retry-After; probes exempt; one warn line', async () => {
    const s = await sluice('{ max_rss_bytes: 1 }');
    const refused = await firstRefusal(s);
    expect(refused).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.headers.get('cache-control')).toBe('no-store');

    // Introspection too; discovery and the JWKS, computed at load, still answer.
    const introspection = await fetch(`${s.url}/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' });
    expect([introspection.status, ((await introspection.json()) as Record<string, unknown>).error]).toEqual([503, 'temporarily_unavailable']);
    expect((await fetch(`${s.url}/.well-known/openid-configuration`)).status).toBe(200);
    expect((await fetch(`${s.url}/jwks`)).status).toBe(200);

    const health = await fetch(`${s.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${s.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'not_ready', checks: { keys: 'ok', store: 'ok', serving: 'overloaded' } }]);

    const lines = s.logs.lines.filter((l) => l.event === 'overload');
    expect(lines).toEqual([expect.objectContaining({ cause: 'rss', level: 40 })]);
  });

  it('past max_heap_used_ratio: the same answer, the cause heap_used; retry_after is configurable', async () => {
    const s = await sluice('{ max_heap_used_ratio: 0.000001, retry_after: 30 }');
    const refused = await firstRefusal(s);
    expect(refused).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(s.logs.lines.find((l) => l.event === 'overload')).toMatchObject({ cause: 'heap_used' });
  });

  it('overload: true is the defaults (a healthy process serves); false turns it off', async () => {
    for (const setting of ['true', 'false']) {
      const s = await sluice(setting);
      expect((await token(s)).status).toBe(200);
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    }
  });
});
