/**
 * Metrics that outlive a request's own path: store failures by operation, and reloads.
 * A reload builds a new Engine over the running SluiceMetrics (LoadOptions.metrics), so
 * counters carry on across the swap; recordReload counts each reload by outcome.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../engine/http/server.js';
import { loadConfigText } from '../../engine/load.js';
import { createLogger } from '../../engine/logger.js';
import { SluiceMetrics } from '../../engine/metrics/metrics.js';
import { scrape, valueOf } from '../helpers/prometheus.js';
import { BASIC_CONFIG, BASIC_ENV, basic, freePort, LogCapture, postToken, serve, tempDir } from '../helpers/sluice.js';

const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

describe('sluice_store_errors_total', () => {
  it('counts a store that cannot answer, by operation; the request is 503, labelled so', async () => {
    const port = await freePort(); // nothing listens there
    const config = BASIC_CONFIG.replace('keystores:', `store: { type: redis, url: "redis://127.0.0.1:${port}" }\nkeystores:`)
      .replace('      - name: ClientAuthenticate\n', '      - name: ClientAuthenticate\n      - { name: RateLimit, config: { limit: 100, window: 1m } }\n');
    const s = await serve(config, { env: BASIC_ENV });
    closers.push(async () => {
      await s.close();
      await s.engine.verifyContext.store.close?.();
    });
    const answer = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toBe('temporarily_unavailable');
    const metrics = await scrape(`${s.url}/metrics`);
    expect(valueOf(metrics, 'sluice_store_errors_total', { operation: 'increment' })).toBe(1);
    expect(valueOf(metrics, 'sluice_token_requests_total', { client_id: 'orders-service', outcome: 'temporarily_unavailable' })).toBe(1);
  });
});

describe('a reload', () => {
  it('keeps the counts (the new engine counts into the running metrics), and is counted by outcome', async () => {
    const metrics = new SluiceMetrics();
    const dir = tempDir({ 'config.yaml': BASIC_CONFIG });
    const port = await freePort();
    const load = async (yaml: string) => {
      const { engine, diagnostics } = await loadConfigText(`${dir}/config.yaml`, yaml, { env: BASIC_ENV, logger: createLogger('info', new LogCapture()), server: { port }, metrics });
      if (!engine) throw new Error(JSON.stringify(diagnostics));
      return engine;
    };
    const holder = { current: await load(BASIC_CONFIG) };
    const app = createServer(holder);
    await app.listen({ host: '127.0.0.1', port });
    closers.push(() => app.close());
    const url = `http://127.0.0.1:${port}`;
    const token = () => postToken(url, { grant_type: 'client_credentials' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
    expect((await token()).status).toBe(200);
    // What a reload does: the new config loaded to the side over the same metrics, then swapped in.
    holder.current = await load(BASIC_CONFIG.replace('jwt_ttl: 10', 'jwt_ttl: 5'));
    metrics.recordReload('success');
    metrics.recordReload('failure');
    metrics.recordReload('success');
    expect((await token()).status).toBe(200);
    const after = await scrape(`${url}/metrics`);
    expect(valueOf(after, 'sluice_token_requests_total', { client_id: 'orders-service', outcome: 'issued' })).toBe(2);
    expect(valueOf(after, 'sluice_reloads_total', { outcome: 'success' })).toBe(2);
    expect(valueOf(after, 'sluice_reloads_total', { outcome: 'failure' })).toBe(1);
  });
});
