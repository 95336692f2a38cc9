#!/usr/bin/env node
/**
 * Start-up, memory and token requests/s of `sluice serve` for a config made by gen-rps.mjs:
 *
 *   node bench/scale/measure.mjs RPS [--requests N] [--connections C]
 *
 * Writes the config to a temp dir, starts the server, times until /jwks answers, reads
 * its RSS (VmRSS; VmHWM is the peak) from /proc, then sends N token requests over C
 * keep-alive connections, each as a different RP chosen at random (so the client lookup is
 * exercised over the whole table), and prints one JSON line. The server's log level is warn:
 * the load generator does not read its logs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRpsConfig, rpClientId, rpScopes, rpSecret } from './gen-rps.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const count = Number(args[0]);
const requests = option('--requests', 4000);
const connections = option('--connections', 16);
const port = option('--port', 18000 + Math.floor(Math.random() * 2000));

const dir = mkdtempSync(join(tmpdir(), 'sluice-scale-'));
const file = join(dir, 'rps.yaml');
writeFileSync(file, generateRpsConfig({ count, port }).join('\n') + '\n');

const started = performance.now();
const server = spawn(process.execPath, [join(root, 'dist/engine/cli/main.js'), 'serve', '-c', file], { stdio: ['ignore', 'ignore', 'inherit'] });
const memory = () => Object.fromEntries(readFileSync(`/proc/${server.pid}/status`, 'utf8').split('\n').filter((l) => /^Vm(RSS|HWM):/.test(l)).map((l) => [l.split(':')[0], Math.round(Number(l.split(/\s+/)[1]) / 1024)]));
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

function request(method, path, headers = {}, body = '') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitUntilUp() {
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited ${server.exitCode}`);
    try {
      if ((await request('GET', '/jwks')).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function tokenRequest(n) {
  const basic = Buffer.from(`${rpClientId(n)}:${rpSecret(n)}`).toString('base64');
  const body = `grant_type=client_credentials&scope=${encodeURIComponent(rpScopes(n)[0])}`;
  return request('POST', '/token', { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body);
}

try {
  const startupMs = await waitUntilUp();
  const afterStart = memory();
  // Warm up: every connection, and the JIT.
  await Promise.all(Array.from({ length: connections * 4 }, (_, i) => tokenRequest(1 + (i % count))));
  let sent = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (sent < requests) {
      sent++;
      const res = await tokenRequest(1 + Math.floor(Math.random() * count));
      if (res.status !== 200) failed++;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ rps: count, startupMs: Math.round(startupMs), ...afterStart, afterLoad: memory(), requests, failed, requestsPerSecond: Math.round(requests / seconds) }));
} finally {
  server.kill('SIGTERM');
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
