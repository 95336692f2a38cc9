/**
 * Metrics as `sluice serve` serves them: on a port of their own (metrics.port; then not on
 * the main server), with prom-client's process metrics; under `--workers 2` a scrape that
 * reaches either worker sees the whole cluster's counts (the primary sums every worker's).
 * And `check` places metrics config mistakes at FILE:LINE:COL.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../helpers/sluice.js';
import { parseExposition, valueOf, type Exposition } from '../helpers/prometheus.js';
import { checkBoth, freePort, removeTempDirs, requireBuild, serve, trackedTempDir, waitFor, type Served } from './cli.js';
import { checkInProcess } from './in-process.js';
import { answeredBy, inTurn, logLines, postFresh } from './workers.js';

const S = 'metrics-secret-0123456789';
const config = (metricsPort: number) => `
keystores: [{ id: dev, type: generated, alg: ES256 }]
metrics: { port: ${metricsPort}, path: /prom }
rps:
  - { client_id: plain, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: jwt }
pipes:
  - { id: jwt, valves: [{ name: ScopeCheck }, { name: CreateJwt, config: { keystore: dev } }, { name: TokenResponse }] }
`;
const ISSUED = { client_id: 'plain', pipe: 'jwt', grant_type: 'client_credentials', outcome: 'issued' };

/** GET on a connection of its own, so that node:cluster hands it to the next worker. */
function scrapeFresh(url: string): Promise<{ status: number; exposition?: Exposition }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve(res.statusCode === 200 ? { status: 200, exposition: parseExposition(text) } : { status: res.statusCode ?? 0 }));
    }).on('error', reject).end();
  });
}

async function start(workers: number): Promise<{ server: Served; metricsUrl: string }> {
  const dir = trackedTempDir();
  const metricsPort = await freePort();
  writeFileSync(join(dir, 'sluice.yaml'), config(metricsPort));
  const extraArgs = workers > 1 ? ['--workers', String(workers)] : [];
  const server = await serve('sluice.yaml', { cwd: dir, env: { S }, extraArgs, startTimeoutMs: 60_000 });
  if (workers > 1) await waitFor(server.stdout, /"event":"workers_ready"/, server.exited, 60_000);
  return { server, metricsUrl: `http://127.0.0.1:${metricsPort}/prom` };
}

beforeAll(() => requireBuild());
afterAll(() => removeTempDirs());

describe('metrics.port: one process', () => {
  let server: Served;
  let metricsUrl: string;
  beforeAll(async () => ({ server, metricsUrl } = await start(1)), 60_000);
  afterAll(() => server?.kill());

  it('serves them there only, with the process metrics, and counts what the main port issues', async () => {
    for (let i = 0; i < 3; i++) expect((await postFresh(server, '/token', { grant_type: 'client_credentials' }, { authorization: basic('plain', S) })).status).toBe(200);
    const { status, exposition } = await scrapeFresh(metricsUrl);
    expect(status).toBe(200);
    expect(valueOf(exposition!, 'sluice_token_requests_total', ISSUED)).toBe(3);
    expect(exposition!.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(exposition!.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect((await fetch(`${server.url}/prom`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await scrapeFresh(metricsUrl.replace('/prom', '/other'))).status).toBe(404);
    expect(logLines(server).find((l) => l.event === 'listening')).toMatchObject({ metrics_address: { port: Number(new URL(metricsUrl).port) } });
  });

  it('stops with the server (SIGTERM, exit 0)', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(metricsUrl)).rejects.toThrow();
  }, 30_000);
});

describe('--workers 2', () => {
  let server: Served;
  let metricsUrl: string;
  beforeAll(async () => ({ server, metricsUrl } = await start(2)), 90_000);
  afterAll(() => server?.kill());

  it('a scrape answered by either worker counts the tokens both workers issued', async () => {
    const answers = await inTurn(6, () => postFresh(server, '/token', { grant_type: 'client_credentials' }, { authorization: basic('plain', S) }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answeredBy(server, (l) => l.event === 'token' && l.client_id === 'plain').size).toBe(2);
    const scrapes = await inTurn(4, () => scrapeFresh(metricsUrl));
    for (const { status, exposition } of scrapes) {
      expect(status).toBe(200);
      expect(valueOf(exposition!, 'sluice_token_requests_total', ISSUED)).toBe(6);
      expect(valueOf(exposition!, 'sluice_token_request_duration_seconds_count', { pipe: 'jwt' })).toBe(6);
    }
  }, 60_000);
});

// The first config runs the built `sluice check`; the others load in-process through what it
// calls (test/cli/in-process.ts): the same diagnostics, without two processes each.
describe('check', () => {
  const base = `keystores: [{ id: dev, type: generated, alg: ES256 }]\nrps: []\npipes: []\n`;
  it('refuses a metrics port that is the server\'s, and a path that is an endpoint\'s', async () => {
    const dir = trackedTempDir();
    writeFileSync(join(dir, 'a.yaml'), `server: { port: 9100 }\n${base}metrics:\n  port: 9100\n`);
    writeFileSync(join(dir, 'b.yaml'), `${base}metrics:\n  path: /token\n`);
    const a = await checkBoth('a.yaml', { cwd: dir });
    expect(a.report.diagnostics.filter((d) => d.severity === 'error').map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ line: 6, col: 9, code: 'schema' }]);
    expect(a.text.code).toBe(1);
    const b = await checkInProcess(join(dir, 'b.yaml'));
    expect(b.report.diagnostics.filter((d) => d.severity === 'error').map(({ line, col, code }) => ({ line, col, code }))).toEqual([{ line: 5, col: 9, code: 'schema' }]);
  });

  it('warns when the main server listens beyond this machine and serves metrics', async () => {
    const dir = trackedTempDir();
    writeFileSync(join(dir, 'open.yaml'), `issuer: https://auth.example.com\nserver: { host: 0.0.0.0 }\n${base}`);
    writeFileSync(join(dir, 'port.yaml'), `issuer: https://auth.example.com\nserver: { host: 0.0.0.0 }\n${base}metrics: { port: 9464 }\n`);
    const open = await checkInProcess(join(dir, 'open.yaml'));
    expect(open.report.diagnostics.filter((d) => d.severity === 'warning' && /metrics/.test(d.message))).toHaveLength(1);
    expect(open.text.code).toBe(0);
    const port = await checkInProcess(join(dir, 'port.yaml'));
    expect(port.report.diagnostics.filter((d) => /metrics/.test(d.message))).toEqual([]);
  });
});
