/**
 * Helpers for the reload tests: token requests on keep-alive connections (as a service's
 * HTTP client sends them), a load of such requests that runs until told to stop and keeps
 * every answer (log lines: workers.ts's logLines).
 */
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POST a form on `agent` (keep-alive: the connection outlives the request, and a reload). */
export function postOn(agent: Agent, url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const headersOut = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers };
    const req = request(url, { method: 'POST', agent, headers: headersOut }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { unparsable: text } });
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Load {
  /** Every access token issued so far, in order of arrival. */
  readonly tokens: string[];
  /** Every answer that was not a 200 with a token, and every request that failed outright. */
  readonly failures: unknown[];
  /** Stop sending; resolves when every client's last request is answered. */
  stop(): Promise<void>;
}

/** `clients` concurrent loops, each on its own keep-alive connection, sending `send` until stopped. */
export function startLoad(clients: number, send: (agent: Agent) => Promise<Answer>): Load {
  const tokens: string[] = [];
  const failures: unknown[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (running) {
        try {
          const answer = await send(agent);
          if (answer.status === 200 && typeof answer.body.access_token === 'string') tokens.push(answer.body.access_token);
          else failures.push(answer);
        } catch (error) {
          failures.push(String(error));
        }
      }
    } finally {
      agent.destroy();
    }
  });
  return {
    tokens,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Poll `check` until it holds (an event, not a timing assertion); the deadline only stops a hung test. */
export async function until(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
