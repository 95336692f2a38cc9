/** One measured run: autocannon against one server, its CPU read from /proc around it. */
import autocannon, { type Options } from 'autocannon';
import type { RequestSource } from './requests.js';
import type { ServerProcess } from './servers/process.js';
import type { RunSample } from './stats.js';

export interface LoadSettings {
  connections: number;
  duration: number;
  /** Requests per second over all connections, at most: a fixed load instead of as many as the server answers. */
  rate?: number;
}

export async function measure(server: ServerProcess, source: RequestSource, settings: LoadSettings, round: number, expectedRate: number): Promise<RunSample> {
  // Enough pooled requests (assertions) for the rate seen so far, with room to spare.
  source.prepare?.(Math.ceil(expectedRate * settings.duration * 1.5) + 2000);
  const first = source.first();
  const next = source.next?.bind(source);
  const options: Options = {
    url: server.url,
    connections: settings.connections,
    duration: settings.duration,
    ...(settings.rate !== undefined ? { overallRate: settings.rate } : {}),
    requests: [next
      ? { method: 'POST', path: '/token', setupRequest: (request) => ({ ...request, ...next() }) }
      : { method: 'POST', path: '/token', headers: first.headers, body: first.body }],
  };
  const cpuBefore = server.cpuMicros();
  const generatorBefore = process.cpuUsage();
  const result = await autocannon(options);
  const generator = process.cpuUsage(generatorBefore);
  const cpuAfter = server.cpuMicros();
  const responses = result.requests.total;
  return {
    round,
    requestsPerSecond: responses / result.duration,
    responses,
    failures: result.non2xx + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMicros: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    generatorCpuMicros: generator.user + generator.system,
  };
}
