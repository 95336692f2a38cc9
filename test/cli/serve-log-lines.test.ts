/**
 * `sluice serve` under concurrent load writes its request lines in batches, one write per
 * turn of the event loop (engine/stdout-lines.ts). What its log reader sees must be what
 * it saw with a write per line: one whole JSON line per request, in the order they were
 * logged, and all of them there when the server stops on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, serveOneClient, SVC_SECRET } from './cli.js';

const SECRET = SVC_SECRET;

beforeAll(requireBuild);
afterAll(removeTempDirs);

describe('sluice serve: the log under concurrent requests', () => {
  it('has one whole line per request, in order, all written before it exits on SIGTERM', async () => {
    const server = await serveOneClient();
    try {
      const request = (i: number) =>
        fetch(`${server.url}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`svc:${SECRET}`).toString('base64')}`, 'x-request-id': `r-${i}` },
          body: i % 5 === 0 ? 'grant_type=nope' : 'grant_type=client_credentials',
        });
      const statuses: number[] = [];
      // Waves of 50 at once: many requests end in the same turn of the server's event loop.
      for (let wave = 0; wave < 4; wave++) {
        const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => request(wave * 50 + i)));
        statuses.push(...responses.map((response) => response.status));
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(160);
      expect(statuses.filter((status) => status === 400)).toHaveLength(40);

      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      const text = server.stdout();
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      const requestLines = lines.filter((line) => typeof line.req_id === 'string' && (line.req_id as string).startsWith('r-'));
      expect(new Set(requestLines.map((line) => line.req_id)).size).toBe(200);
      expect(requestLines.filter((line) => line.outcome === 'issued')).toHaveLength(160);
      // In the order they were logged: each line's time is taken as it is logged.
      const times = lines.map((line) => Date.parse(line.time as string));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(lines.at(-1)?.event).toBe('stopped');
    } finally {
      server.kill();
    }
  });
});
