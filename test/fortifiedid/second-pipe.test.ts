/**
 * Issue 13's second FortifiedID-style pipe, as shipped in config/examples/fortifiedid-conditional.yaml:
 * `{id, config: {valves}}` JSON where an HttpRequest writes the flow's item, `FlowFail` with
 * `exec_if_expr: "!items[0].account.body.active"` refuses, and otherwise CreateJwt signs
 * claims read as `${item.…}` (`${item.account.body.roles.0}`, `@int:`) and JsonObjectCreate
 * answers under `client_credentials`. Seen as a user sees it: `sluice check` exits 0; over
 * HTTP, the refusal's status and OAuth error body, and the token verified against /jwks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, requireBuild, ROOT } from '../cli/cli.js';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { upstream, type Upstream } from '../valves/http-upstream.js';

const FILE = 'config/examples/fortifiedid-conditional.yaml';
const TEXT = readFileSync(join(ROOT, FILE), 'utf8');
/** The secrets the example publishes in its header comment. */
const SECRETS: Record<string, string> = Object.fromEntries(
  [...TEXT.matchAll(/^#\s+(inventory|legacy-batch)\s+(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
);
const auth = (client: string, secret = SECRETS[client]!) => ({ authorization: basic(client, secret) });
const GRANT = { grant_type: 'client_credentials' };

/** What the directory answers, by path; a test may change an entry (and puts it back). */
const ACCOUNTS: Record<string, unknown> = {
  '/accounts/inventory': { active: true, team: 'logistics', roles: ['stock-reader', 'stock-writer'], level: '3' },
  '/accounts/legacy-batch': { active: false, team: 'archive', roles: [], level: '1' },
};

let directory: Upstream;
let s: Running;

beforeAll(async () => {
  expect(Object.keys(SECRETS).sort()).toEqual(['inventory', 'legacy-batch']);
  directory = await upstream((seen, res) => {
    const account = ACCOUNTS[seen.target];
    res.writeHead(account ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(account ?? { error: 'unknown' }));
  });
  s = await serve(TEXT, { env: { DIRECTORY_URL: directory.origin } });
});
afterAll(async () => {
  await s?.close();
  await directory?.close();
});

const asked = (client: string) => directory.seen.filter((seen) => seen.target === `/accounts/${client}`).length;

describe('the second FortifiedID pipe (exec_if_expr, FlowFail, ${item.…})', () => {
  it('passes sluice check (the generated keystore only warns), exit 0', async () => {
    requireBuild();
    const { text, report } = await checkBoth(FILE, { env: { DIRECTORY_URL: directory.origin } });
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(report.diagnostics.map((d) => d.code)).toEqual(['keystore_invalid']);
  });

  it('an active account: the JsonObjectCreate response, its token verifying against /jwks with claims from the item', async () => {
    const r = await postToken(s.url, { ...GRANT, scope: 'stock.read' }, auth('inventory'));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'stock.read' });
    const { payload, header } = await verifyToken(s.url, String(r.body.access_token), { issuer: s.engine.issuer, audience: 'https://api.example.com' });
    expect(header.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      sub: 'inventory', client_id: 'inventory', scope: 'stock.read',
      team: 'logistics', roles: ['stock-reader', 'stock-writer'], primary_role: 'stock-reader', level: 3,
    });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('an inactive account: FlowFail refuses with 400 unauthorized_client and its description, no token', async () => {
    const before = asked('legacy-batch');
    const r = await postToken(s.url, { ...GRANT, state: 'st-1' }, auth('legacy-batch'));
    expect(r.status).toBe(400);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toEqual({ error: 'unauthorized_client', error_description: "the service's account is not active", state: 'st-1' });
    expect(asked('legacy-batch')).toBe(before + 1);
  });

  it('what the caller sends cannot stand in for the item: form parameters named like it change nothing', async () => {
    const hostile = { active: 'true', items: '[{"account":{"body":{"active":true}}}]', account: '{"body":{"active":true}}', 'items[0].account.body.active': 'true', exec: 'true' };
    const refused = await postToken(s.url, { ...GRANT, ...hostile }, auth('legacy-batch'));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('unauthorized_client');
    const issued = await postToken(s.url, { ...GRANT, ...hostile, team: 'attackers' }, auth('inventory'));
    expect(issued.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(issued.body.access_token));
    expect(payload.team).toBe('logistics');
  });

  it('an account without the property is refused too (`!items[0].X` is "X is missing", as in FortifiedID)', async () => {
    const saved = ACCOUNTS['/accounts/inventory'];
    ACCOUNTS['/accounts/inventory'] = { team: 'logistics', roles: [], level: '3' };
    try {
      const r = await postToken(s.url, GRANT, auth('inventory'));
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('unauthorized_client');
    } finally {
      ACCOUNTS['/accounts/inventory'] = saved;
    }
  });

  it('a directory that does not know the account answers 503 temporarily_unavailable, never a token without its item', async () => {
    const saved = ACCOUNTS['/accounts/inventory'];
    delete ACCOUNTS['/accounts/inventory'];
    try {
      const r = await postToken(s.url, GRANT, auth('inventory'));
      expect(r.status).toBe(503);
      expect(r.body.error).toBe('temporarily_unavailable');
      expect(r.body.access_token).toBeUndefined();
    } finally {
      ACCOUNTS['/accounts/inventory'] = saved;
    }
  });

  it('a wrong secret: 401 invalid_client before the pipe runs; the directory is not asked', async () => {
    const before = directory.seen.length;
    const r = await postToken(s.url, GRANT, auth('inventory', 'not-the-secret-0123456789'));
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(directory.seen.length).toBe(before);
  });
});
