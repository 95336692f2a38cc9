/**
 * The request id: every response carries `x-request-id`, the id every log line of the
 * request carries as `req_id`. A caller's (or proxy's) x-request-id is honoured when it is
 * at most 128 characters of [A-Za-z0-9._:-]; anything else is replaced by a generated id,
 * and the text it sent appears neither in the answer nor in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let s: Running;

beforeAll(async () => {
  s = await serve(BASIC_CONFIG, { env: BASIC_ENV });
});
afterAll(() => s.close());

async function token(requestId?: string) {
  const before = s.logs.lines.length;
  const headers: Record<string, string> = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  const response = await postToken(s.url, { grant_type: 'client_credentials' }, headers);
  return { response, lines: s.logs.lines.slice(before) };
}

describe('x-request-id', () => {
  it.each([
    ['a UUID', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['a trace id with dots and colons', 'trace:4bf92f3577b34da6.a3ce929d0e0e4736_1'],
    ['128 characters', 'a'.repeat(128)],
  ])('is honoured and echoed: %s', async (_name, id) => {
    const { response, lines } = await token(id);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(id);
    expect(lines.map((line) => line.req_id)).toEqual([id]);
  });

  it.each([
    ['129 characters', 'a'.repeat(129)],
    ['a space', 'abc def'],
    ['markup', '<script>alert(1)</script>'],
    ['a quote and braces', 'x"}{"admin":true'],
    ['non-ASCII', 'ünïcödé'],
    ['empty', ''],
  ])('is replaced by a generated id when it is not plain: %s', async (_name, id) => {
    const { response, lines } = await token(id);
    expect(response.status).toBe(200);
    const echoed = response.headers.get('x-request-id')!;
    expect(echoed).toMatch(UUID);
    expect(lines.map((line) => line.req_id)).toEqual([echoed]);
    if (id !== '') expect(JSON.stringify(lines)).not.toContain(JSON.stringify(id).slice(1, -1));
  });

  it('is generated and echoed when none is sent, one per request', async () => {
    const a = await token();
    const b = await token();
    expect(a.response.headers.get('x-request-id')).toMatch(UUID);
    expect(a.response.headers.get('x-request-id')).not.toBe(b.response.headers.get('x-request-id'));
    expect(a.lines[0]!.req_id).toBe(a.response.headers.get('x-request-id'));
  });

  it('is on refusals too: the refusal line carries it as req_id', async () => {
    const before = s.logs.lines.length;
    const response = await fetch(`${s.url}/token?client_secret=x`, { method: 'POST', headers: { 'x-request-id': 'refused-1' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe('refused-1');
    const refusal = s.logs.lines.slice(before).find((line) => line.event === 'http_refused');
    expect(refusal).toMatchObject({ req_id: 'refused-1' });
    expect(refusal).not.toHaveProperty('reqId');
    const missing = await fetch(`${s.url}/nowhere`, { headers: { 'x-request-id': 'missing-1' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('missing-1');
  });
});
