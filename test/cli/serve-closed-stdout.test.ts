/**
 * `sluice serve` whose standard output is closed by its reader (`sluice serve | head`, a
 * log shipper that died): logging stops, serving does not. pino's own destination did
 * this (it drops its writes on EPIPE); stdoutLines must too, or the first request line
 * written after the reader left ends the process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, requireBuild, serveOneClient, SVC_SECRET } from './cli.js';

const SECRET = SVC_SECRET;

beforeAll(requireBuild);
afterAll(removeTempDirs);

describe('sluice serve with its stdout closed', () => {
  it('goes on answering token requests (200) after the log reader has gone', async () => {
    const server = await serveOneClient();
    try {
      server.child.stdout!.destroy();
      const token = () =>
        fetch(`${server.url}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`svc:${SECRET}`).toString('base64')}` },
          body: 'grant_type=client_credentials',
        });
      for (let i = 0; i < 3; i++) {
        const response = await token();
        expect(response.status).toBe(200);
        expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer');
      }
      const refused = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=nope' });
      expect(refused.status).toBe(400);
      expect(server.child.exitCode).toBeNull();
      expect(server.stderr()).not.toContain('EPIPE');
    } finally {
      server.kill();
    }
  });
});
