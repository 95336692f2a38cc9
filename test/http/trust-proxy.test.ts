/**
 * trust_proxy (issue 9 item 6): the client address is taken from X-Forwarded-For only as
 * far as the configured proxies go; `true` (trust every hop) and hop counts would let a
 * caller choose its own address, so `check` refuses them. The address seen is the token
 * log's remote_addr.
 */
import { describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, basic, load, postToken, serve } from '../helpers/sluice.js';

const auth = { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) };
const withProxy = (trust: string) => BASIC_CONFIG.replace('keystores:', `server:\n  trust_proxy: ${trust}\nkeystores:`);

/** The remote_addr of the token log line for one request with these forwarding headers. */
async function remoteAddr(trust: string, headers: Record<string, string>): Promise<unknown> {
  const s = await serve(withProxy(trust), { env: BASIC_ENV });
  try {
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, { ...auth, ...headers });
    expect(r.status).toBe(200);
    const line = s.logs.lines.find((l) => l.event === 'token');
    return line?.remote_addr;
  } finally {
    await s.close();
  }
}

const XFF = { 'x-forwarded-for': '6.6.6.6, 10.0.0.1' };

describe('trust_proxy: which hop is the client', () => {
  it.each<[string, string, Record<string, string>, string]>([
    ['not set: the socket address', 'false', XFF, '127.0.0.1'],
    ['the one proxy, by address: the address it saw', '[127.0.0.1]', XFF, '10.0.0.1'],
    ['the proxy address as a CIDR list', '[127.0.0.1/32]', XFF, '10.0.0.1'],
    ['two proxies as a list', '[127.0.0.1/32, 10.0.0.0/8]', XFF, '6.6.6.6'],
    ['the proxy addresses as a comma string', '"127.0.0.1/32, 10.0.0.0/8"', XFF, '6.6.6.6'],
    ['a named range (proxy-addr): loopback', 'loopback', XFF, '10.0.0.1'],
    ['an untrusted socket: headers ignored', '[10.0.0.0/8]', XFF, '127.0.0.1'],
  ])('%s', async (_name, trust, headers, expected) => {
    expect(await remoteAddr(trust, headers)).toBe(expected);
  });
});

describe('trust_proxy in check', () => {
  it('refuses true, at its line, saying why', async () => {
    const { engine, diagnostics } = await load(withProxy('true'), { env: BASIC_ENV });
    expect(engine).toBeUndefined();
    const error = diagnostics.find((d) => d.severity === 'error');
    expect(error).toMatchObject({ code: 'schema', line: 4 });
  });

  it('refuses "true" from the environment too', async () => {
    const { engine } = await load(withProxy('"${env.TRUST}"'), { env: { ...BASIC_ENV, TRUST: 'true' } });
    expect(engine).toBeUndefined();
  });

  it.each(['1', '2', '"${env.HOPS}"'])('refuses a hop count %s (it cannot tell a proxy from a caller)', async (trust) => {
    const { engine, diagnostics } = await load(withProxy(trust), { env: { ...BASIC_ENV, HOPS: '1' } });
    expect(engine).toBeUndefined();
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'schema', line: 4 });
  });

  it.each(['[not-an-address]', '"10.0.0.0/33"', '[10.0.0.1, "::1/200"]', '"10.0.0.1/8/8"'])('refuses %s', async (trust) => {
    const { engine, diagnostics } = await load(withProxy(trust), { env: BASIC_ENV });
    expect(engine).toBeUndefined();
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'schema', line: 4 });
  });
});
