/**
 * The request log (engine/endpoints/request-log.ts): one line per request with the same
 * fields as ever (an issued token's audit fields added), written without a child logger or a redaction pass; what valves log on
 * the way still carries the request id and is still redacted; a failure of ours (a
 * keystore that cannot sign) is a clean server_error with the details in the log only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACT_PATHS } from '../../engine/logger.js';
import { verifyToken } from '../helpers/tokens.js';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const SECRET = 'log-secret-0123456789abcdef';
const PLUGIN = `
export default [
  { name: 'Chatty', create() { return async function chatty(flow, next) {
      flow.log.warn({ valve: 'Chatty', secret: 'hunter2-in-a-valve' }, 'valve says');
      await next();
  }; } },
  { name: 'WrongAlgSigner', writes: ['access_token'], create(config, engine) { return async function wrongAlgSigner(flow, next) {
      flow.state.access_token = await engine.keystore('signing').sign({ sub: 'x' }, undefined, 'RS256');
      await next();
  }; } },
];
`;
let s: Running;

beforeAll(async () => {
  s = await serve(`
keystores: [{ id: signing, type: generated, alg: ES256 }]
plugins: [./valves.mjs]
rps:
  - { client_id: quiet, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: quiet }
  - { client_id: chatty, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: chatty }
  - { client_id: broken, client_secret: "\${env.S}", scopes: [a], client_credentials_pipe_id: broken }
pipes:
  - id: quiet
    valves: [{ name: ClientAuthenticate }, { name: ScopeCheck }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: chatty
    valves: [{ name: ClientAuthenticate }, { name: Chatty }, { name: CreateJwt, config: { keystore: signing } }, { name: TokenResponse }]
  - id: broken
    valves: [{ name: ClientAuthenticate }, { name: WrongAlgSigner }, { name: TokenResponse }]
`, { env: { S: SECRET }, files: { 'valves.mjs': PLUGIN } });
});
afterAll(() => s.close());

async function tokenRequest(client: string, secret = SECRET) {
  const before = s.logs.lines.length;
  const response = await postToken(s.url, { grant_type: 'client_credentials', scope: 'a' }, { authorization: basic(client, secret) });
  return { response, lines: s.logs.lines.slice(before) };
}

describe('the request line', () => {
  it('is one line per token request, with the fields it always had', async () => {
    const { response, lines } = await tokenRequest('quiet');
    expect(response.status).toBe(200);
    await verifyToken(s.url, String(response.body.access_token));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      level: 30,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: 'sluice',
      req_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event: 'token',
      remote_addr: '127.0.0.1',
      grant_type: 'client_credentials',
      client_id: 'quiet',
      pipe: 'quiet',
      outcome: 'issued',
      sub: 'quiet',
      jti: expect.any(String),
      scope: 'a',
      aud: expect.any(String),
      exp: expect.any(Number),
      kid: expect.any(String),
      // The audit record of the token it issued (issue 15), on the same line.
      audit: 'token_issued',
      duration_ms: expect.any(Number),
      msg: 'token request',
    });
    // req_id comes before the request's own fields, where a bound logger put it.
    expect(Object.keys(lines[0]!).slice(0, 5)).toEqual(['level', 'time', 'service', 'req_id', 'event']);
  });

  it('holds neither the secret nor the token; each request has its own id', async () => {
    const a = await tokenRequest('quiet');
    const b = await tokenRequest('quiet', 'a-wrong-secret-0123456789');
    const text = JSON.stringify([...a.lines, ...b.lines]);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('a-wrong-secret-0123456789');
    expect(text).not.toContain(String(a.response.body.access_token));
    expect(b.lines.at(-1)).toMatchObject({ level: 30, outcome: 'refused', error: 'invalid_client', client_id: 'quiet', msg: 'token request' });
    expect(a.lines[0]!.req_id).not.toBe(b.lines.at(-1)!.req_id);
    // Written without redaction: none of its keys may be one that redaction would censor.
    const redacted = REDACT_PATHS.filter((path) => !path.includes('.'));
    for (const line of [...a.lines, ...b.lines]) expect(Object.keys(line).filter((key) => redacted.includes(key))).toEqual([]);
  });
});

describe('what a valve logs on the way', () => {
  it('carries the request id and is still redacted', async () => {
    const { response, lines } = await tokenRequest('chatty');
    expect(response.status).toBe(200);
    const warning = lines.find((l) => l.msg === 'valve says');
    const line = lines.find((l) => l.event === 'token');
    expect(warning).toMatchObject({ level: 40, valve: 'Chatty', secret: '[redacted]' });
    expect(warning!.req_id).toBe(line!.req_id);
    expect(JSON.stringify(lines)).not.toContain('hunter2-in-a-valve');
  });
});

describe('a keystore that cannot sign what is asked', () => {
  it('answers server_error without internals, logs the error line with the cause, and keeps serving', async () => {
    const { response, lines } = await tokenRequest('broken');
    expect(response.status).toBe(500);
    expect(response.body.error).toBe('server_error');
    expect(JSON.stringify(response.body)).not.toMatch(/RS256|keystore|at /);
    const line = lines.find((l) => l.event === 'token')!;
    expect(line).toMatchObject({ level: 50, outcome: 'error', error: 'server_error', valve: 'WrongAlgSigner', msg: 'token request failed' });
    expect(JSON.stringify(line.err)).toMatch(/cannot sign with RS256/);
    expect(String(response.body.error_description)).toContain(String(line.req_id));
    expect((await tokenRequest('quiet')).response.status).toBe(200);
  });
});
