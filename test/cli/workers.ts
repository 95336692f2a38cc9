/**
 * Helpers for tests of `sluice serve --workers N`: requests on connections of their own
 * (so node:cluster hands each to the next worker), and which worker answered, read from
 * the log (each worker's lines carry its pid), never from the response.
 */
import { request } from 'node:http';
import type { Served } from './cli.js';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POST a form on a connection of its own (no keep-alive). */
export function postFresh(server: Served, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const headersOut = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers };
    const req = request(`${server.url}${path}`, { method: 'POST', agent: false, headers: headersOut }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** In order, one at a time: consecutive fresh connections go to the workers in turn. */
export async function inTurn<T>(count: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  for (let i = 0; i < count; i++) answers.push(await send(i));
  return answers;
}

export type LogLine = Record<string, unknown>;

export function logLines(server: Served): LogLine[] {
  return server.stdout().split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** The pids of the workers whose log lines match `where` (from the `from`th line on). */
export function answeredBy(server: Served, where: (line: LogLine) => boolean, from = 0): Set<unknown> {
  return new Set(logLines(server).slice(from).filter((l) => l.process === 'worker' && where(l)).map((l) => l.pid));
}
