/**
 * A config with many RPs (issue 14: 100,000 must load in seconds) behaves as a small one:
 * any RP authenticates and gets a token that verifies against /jwks, an unknown or wrong
 * one is refused, and a problem in RP number N is reported at its line. Made by
 * bench/scale/gen-rps.mjs; 20,000 RPs keep the test quick. Nothing here is timed.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRpsConfig, rpAudience, rpClientId, rpScopes, rpSecret, scryptSecret } from '../../bench/scale/gen-rps.mjs';
import { basic, load, postToken, serve, type Running } from '../helpers/sluice.js';

const COUNT = 20_000;
const lines = generateRpsConfig({ count: COUNT });
const issuer = 'http://127.0.0.1:8080';

/** The 1-based line of RP n's `key:` and the column of its value. */
function at(n: number, key: string): { line: number; col: number } {
  const start = lines.indexOf(`  - client_id: ${rpClientId(n)}`);
  const offset = lines.slice(start).findIndex((l, i) => (i === 0 ? l.startsWith(`  - ${key}:`) : l.startsWith(`    ${key}:`)));
  const line = lines[start + offset]!;
  return { line: start + offset + 1, col: line.indexOf(':') + 3 };
}

/** The config with RP n's `key:` line given another value. */
function withValue(text: string[], n: number, key: string, value: string): string[] {
  const { line } = at(n, key);
  const copy = [...text];
  copy[line - 1] = copy[line - 1]!.replace(/:.*$/, `: ${value}`);
  return copy;
}

describe('a config with 20,000 RPs', () => {
  let server: Running;
  beforeAll(async () => {
    server = await serve(lines.join('\n'));
  }, 60_000);
  afterAll(() => server?.close());

  it('loads every RP', () => {
    expect(server.engine.clients.size).toBe(COUNT);
  });

  it.each([1, 12_345, COUNT])('RP %i authenticates and gets a token that verifies against /jwks', async (n) => {
    const scope = rpScopes(n)[0]!;
    const answer = await postToken(server.url, { grant_type: 'client_credentials', scope }, { authorization: basic(rpClientId(n), rpSecret(n)) });
    expect(answer.status).toBe(200);
    const { payload } = await jwtVerify(answer.body.access_token as string, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer });
    expect(payload).toMatchObject({ sub: rpClientId(n), client_id: rpClientId(n), scope, appid: `app-${n}`, tenant: `t${n % 97}` });
  });

  it("refuses another RP's secret, an unknown client and a scope the RP lacks", async () => {
    const n = 777;
    const wrong = await postToken(server.url, { grant_type: 'client_credentials' }, { authorization: basic(rpClientId(n), rpSecret(n + 1)) });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_client']);
    const unknown = await postToken(server.url, { grant_type: 'client_credentials' }, { authorization: basic(rpClientId(COUNT + 1), rpSecret(COUNT + 1)) });
    expect([unknown.status, unknown.body.error]).toEqual([401, 'invalid_client']);
    const others = ['orders.read', 'orders.write', 'invoices.read', 'invoices.write', 'reports.read', 'customers.read', 'customers.write'].filter((s) => !rpScopes(n).includes(s));
    const scope = await postToken(server.url, { grant_type: 'client_credentials', scope: others[0]! }, { authorization: basic(rpClientId(n), rpSecret(n)) });
    expect([scope.status, scope.body.error]).toEqual([400, 'invalid_scope']);
  });

  it('an RP may ask for its audience', async () => {
    const n = 4242;
    const answer = await postToken(server.url, { grant_type: 'client_credentials', resource: rpAudience(n) }, { authorization: basic(rpClientId(n), rpSecret(n)) });
    expect(answer.status).toBe(200);
    const { payload } = await jwtVerify(answer.body.access_token as string, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer, audience: rpAudience(n) });
    expect(payload.sub).toBe(rpClientId(n));
  });
});

describe('problems in a config with 20,000 RPs', () => {
  it('each is reported at the line and column of RP number N', async () => {
    let text = withValue(lines, 19_999, 'client_credentials_pipe_id', 'no-such-pipe');
    text = withValue(text, 10_001, 'scopes', '5');
    text = withValue(text, 3, 'client_secret_hash', '"$sha256$short$short"');
    text = withValue(text, 15_000, 'client_id', rpClientId(14_999));
    const { diagnostics } = await load(text.join('\n'));
    const errors = diagnostics.filter((d) => d.severity === 'error').map(({ line, col, code }) => ({ line, col, code }));
    expect(errors).toEqual([
      { ...at(3, 'client_secret_hash'), code: 'schema' },
      { ...at(10_001, 'scopes'), code: 'schema' },
      { ...at(15_000, 'client_id'), code: 'duplicate_id' },
      { ...at(19_999, 'client_credentials_pipe_id'), code: 'unknown_pipe' },
    ]);
  });

  it('are placed as in a config that only the yaml library reads (an alias in it)', async () => {
    const small = generateRpsConfig({ count: 300 });
    let text = withValue(small, 299, 'client_credentials_pipe_id', 'no-such-pipe');
    text = withValue(text, 7, 'token_endpoint_auth_method', 'client_secret_bsic');
    text = withValue(text, 150, 'scopes', '[orders.read, orders.read]');
    // Line 1 is a comment: an anchor and alias there keep every line where it was.
    const viaYaml = ['globals: { one: &one x, two: *one }', ...text.slice(1)];
    const plain = (await load(text.join('\n'))).diagnostics;
    const yaml = (await load(viaYaml.join('\n'))).diagnostics;
    expect(plain.filter((d) => d.severity === 'error').length).toBe(3);
    expect(plain.map(({ line, col, code, message }) => ({ line, col, code, message }))).toEqual(yaml.map(({ line, col, code, message }) => ({ line, col, code, message })));
  });
});

describe('RPs with a $scrypt$ hash among many', () => {
  it('authenticate with their secret', async () => {
    const text = generateRpsConfig({ count: 50, scryptEvery: 10 });
    const server = await serve(text.join('\n'));
    try {
      const answer = await postToken(server.url, { grant_type: 'client_credentials' }, { authorization: basic(rpClientId(20), scryptSecret(20)) });
      expect(answer.status).toBe(200);
      const wrong = await postToken(server.url, { grant_type: 'client_credentials' }, { authorization: basic(rpClientId(20), rpSecret(20)) });
      expect(wrong.status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
