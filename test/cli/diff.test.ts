/**
 * `sluice diff OLD NEW [--json]` through the built binary: each kind of change told on a
 * line of its own and in the JSON, exit 0 without changes and 1 with (as diff(1)), 2 for
 * a usage error or an invalid config (its problems as FILE:LINE:COL), and no secret, hash
 * or valve config value ever printed. The command itself is run for each exit code; the
 * other kinds of change go through the functions it calls, in-process (test/cli/in-process.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { positionOf } from '../helpers/positions.js';
import { diagnosticLines, removeTempDirs, requireBuild, sluice, trackedTempDir } from './cli.js';
import { diffInProcess, type DiffRun } from './in-process.js';

const OLD_SECRET = 'old-secret-0123456789abcdef';
const NEW_SECRET = 'new-secret-0123456789abcdef';
const UPSTREAM_TOKEN = 'upstream-token-0123456789';

/** The base config; each test edits a copy of it into NEW. */
const BASE = `issuer: http://127.0.0.1:8080
keystores:
  - { id: signing, type: pem, path: a.pem }
  - { id: dev, type: generated }
rps:
  - client_id: orders
    client_secret: ${OLD_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: m2m
  - client_id: legacy
    client_secret: legacy-secret-0123456789
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - { name: ScopeCheck }
      - { name: CreateJwt, config: { keystore: signing, jwt_ttl: 60 } }
      - name: TokenResponse
  - id: dev-pipe
    valves:
      - { name: CreateJwt, config: { keystore: dev } }
      - name: TokenResponse
`;

let dir: string;
let file = 0;

/** Writes a config into the test dir; returns its name (relative: diagnostics say it so). */
function config(text: string): string {
  const name = `config-${++file}.yaml`;
  writeFileSync(join(dir, name), text);
  return name;
}

function edit(text: string, pairs: Array<[string, string]>): string {
  return pairs.reduce((t, [from, to]) => {
    if (!t.includes(from)) throw new Error(`'${from}' is not in the config`);
    return t.replace(from, to);
  }, text);
}

interface Run {
  code: number | null;
  lines: string[];
  json: Record<string, any>;
  stdout: string;
}

/** `sluice diff OLD NEW` and `sluice diff OLD NEW --json`, side by side, through the built binary. */
async function diff(oldText: string, newText: string): Promise<Run> {
  const [a, b] = [config(oldText), config(newText)];
  const [text, json] = await Promise.all([sluice(['diff', a, b], { cwd: dir }), sluice(['diff', a, b, '--json'], { cwd: dir })]);
  expect(json.code, json.stderr).toBe(text.code);
  return { code: text.code, lines: text.stdout.split('\n').filter(Boolean), json: JSON.parse(json.stdout) as Record<string, any>, stdout: text.stdout + json.stdout };
}

/** The same diff in-process (test/cli/in-process.ts): what the CLI would print, without two processes' start-up. */
async function diffHere(oldText: string, newText: string): Promise<DiffRun> {
  return diffInProcess(config(oldText), config(newText), { cwd: dir });
}

beforeAll(() => {
  requireBuild();
  dir = trackedTempDir();
  for (const name of ['a.pem', 'b.pem']) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, name), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  }
});
afterAll(removeTempDirs);

// The CLI itself, one case per exit code (0, 1, 2) and the usage errors. Not concurrent:
// a case runs its processes two (text and --json) or four (usage) at a time, and the suite
// shares a small machine.
describe('sluice diff: the command', () => {
  it('the same config: "no changes", exit 0, and a JSON with empty lists (generated keys compared by config, not kid)', async () => {
    const run = await diff(BASE, BASE);
    expect(run.code).toBe(0);
    expect(run.lines).toEqual(['no changes']);
    expect(run.json).toMatchObject({ changed: false, rps: { added: [], removed: [], changed: [] }, pipes: { added: [], removed: [], changed: [] }, keys: { published: [], retired: [], replaced: [], generated: [] }, signing: [], settings: [] });
  });

  it('an RP changed: its pipe per grant type, auth method, scopes, and "secret changed" without the secret', async () => {
    const run = await diff(BASE, edit(BASE, [
      [`client_secret: ${OLD_SECRET}`, `client_secret: ${NEW_SECRET}\n    token_endpoint_auth_method: client_secret_post\n    attributes: { tier: gold }`],
      ['scopes: [orders.read]', 'scopes: [orders.write]'],
      ['client_credentials_pipe_id: m2m\n  - client_id: legacy', 'client_credentials_pipe_id: dev-pipe\n  - client_id: legacy'],
    ]));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      'rp changed: orders: pipe for client_credentials: m2m → dev-pipe',
      'rp changed: orders: token_endpoint_auth_method: client_secret_basic → client_secret_post',
      'rp changed: orders: scopes: +orders.write -orders.read',
      'rp changed: orders: secret changed',
      'rp changed: orders: attributes changed',
    ]);
    expect(run.json.rps.changed).toEqual([{ client_id: 'orders', changes: [
      { field: 'pipe', grant_type: 'client_credentials', from: 'm2m', to: 'dev-pipe' },
      { field: 'token_endpoint_auth_method', from: 'client_secret_basic', to: 'client_secret_post' },
      { field: 'scopes', added: ['orders.write'], removed: ['orders.read'] },
      { field: 'secret' },
      { field: 'attributes', changed: true },
    ] }]);
    expect(run.stdout).not.toContain(OLD_SECRET);
    expect(run.stdout).not.toContain(NEW_SECRET);
    expect(run.stdout).not.toContain('gold');
  });

  it('an invalid config: its errors as FILE:LINE:COL on stderr, exit 2, whichever side it is', async () => {
    const badText = edit(BASE, [['keystore: signing, jwt_ttl: 60', 'keystore: nowhere, jwt_ttl: 60']]);
    const bad = config(badText);
    const { line, col } = positionOf(badText, 'nowhere');
    const good = config(BASE);
    for (const args of [[good, bad], [bad, good]]) {
      const [text, json] = await Promise.all([sluice(['diff', ...args], { cwd: dir }), sluice(['diff', ...args, '--json'], { cwd: dir })]);
      expect(text.code).toBe(2);
      expect(text.stdout).toBe('');
      expect(diagnosticLines(text.stderr)).toEqual([expect.stringMatching(new RegExp(`^${bad.replace('.', '\\.')}:${line}:${col}: error: `))]);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, diagnostics: [{ file: bad, line, col, code: 'unknown_keystore' }] });
    }
  }, 60_000); // four runs

  it('a missing file is an invalid config (exit 2); one file, or an unknown flag, is a usage error (exit 2)', async () => {
    const usages = [['diff', 'one.yaml'], ['diff'], ['diff', 'a.yaml', 'b.yaml', '--nope']];
    const [missing, ...results] = await Promise.all([sluice(['diff', 'nowhere.yaml', config(BASE)], { cwd: dir }), ...usages.map((args) => sluice(args, { cwd: dir }))]);
    expect(missing!.code).toBe(2);
    expect(missing!.stderr).toMatch(/^nowhere\.yaml:1:1: error: /m);
    for (const [i, usage] of results.entries()) {
      expect(usage.code, usages[i]!.join(' ')).toBe(2);
      expect(usage.stderr).toMatch(/usage: sluice diff OLD NEW/);
    }
  }, 60_000); // four runs
});

// Every other kind of change, through the functions the command calls (no process each).
describe('sluice diff: what each change is told as', () => {
  it('RPs added and removed', async () => {
    const run = await diffHere(BASE, edit(BASE, [['client_id: legacy', 'client_id: reporting']]));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual(['rp added: reporting', 'rp removed: legacy']);
    expect(run.json.rps).toEqual({ added: ['reporting'], removed: ['legacy'], changed: [] });
  });

  it('a secret hash or rotation list that changes is "secret changed", never the hash', async () => {
    const hash = '$sha256$kjKWktbu6NR1N0zIwvXNzw$H4oZXa2w_tnmo1f1tqZzx6IPMdYLd7hsiWEnwmTARFQ'; // from `sluice secret generate`
    const run = await diffHere(BASE, edit(BASE, [[`client_secret: ${OLD_SECRET}`, `client_secrets:\n      - { hash: "${hash}" }\n      - { secret: ${NEW_SECRET} }`]]));
    expect(run.lines).toEqual(['rp changed: orders: secret changed']);
    expect(run.stdout).not.toContain('kjKWktbu');
    expect(run.stdout).not.toContain('H4oZXa2w');
    expect(run.stdout).not.toContain(OLD_SECRET);
  });

  it('pipes added, removed and changed (valve list; one valve\'s config), with the clients using them', async () => {
    const run = await diffHere(BASE, edit(BASE, [
      ['      - { name: ScopeCheck }\n', ''],
      ['  - id: dev-pipe\n    valves:\n      - { name: CreateJwt, config: { keystore: dev } }', '  - id: opaque\n    valves:\n      - { name: CreateOpaqueToken }'],
    ]));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      'pipe added: opaque (used by no client)',
      'pipe removed: dev-pipe (was used by no client)',
      'pipe changed: m2m: valves ScopeCheck, CreateJwt, TokenResponse → CreateJwt, TokenResponse (used by orders, legacy)',
      // dev-pipe signed with the generated key: gone with it.
    ]);
    expect(run.json.pipes).toEqual({
      added: [{ id: 'opaque', used_by: [] }],
      removed: [{ id: 'dev-pipe', used_by: [] }],
      changed: [{ id: 'm2m', used_by: ['orders', 'legacy'], changes: [{ kind: 'valves', from: ['ScopeCheck', 'CreateJwt', 'TokenResponse'], to: ['CreateJwt', 'TokenResponse'] }] }],
    });
  });

  it('a valve whose config, enabled or exec_if changed: which, never the values', async () => {
    const withUpstream = edit(BASE, [['      - { name: ScopeCheck }\n', `      - { name: ScopeCheck }\n      - { name: HttpRequest, config: { dest: upstream, url: "https://api.example.com/x", headers: { authorization: "Bearer ${UPSTREAM_TOKEN}" } } }\n`]]);
    const run = await diffHere(withUpstream, edit(withUpstream, [
      [UPSTREAM_TOKEN, `${UPSTREAM_TOKEN}-rotated`],
      ['{ name: ScopeCheck }', '{ name: ScopeCheck, exec_if: "true" }'],
    ]));
    expect(run.lines).toEqual([
      'pipe changed: m2m: valve 1 ScopeCheck: exec_if changed (used by orders, legacy)',
      'pipe changed: m2m: valve 2 HttpRequest: config changed (used by orders, legacy)',
    ]);
    expect(run.stdout).not.toContain(UPSTREAM_TOKEN);
  });

  it('keys published and retired by kid, and the signing key of each pipe and keystore (kid A → kid B)', async () => {
    const before = edit(BASE, [['{ id: signing, type: pem, path: a.pem }', '{ id: signing, type: pem, path: a.pem, kid: key-a }']]);
    const run = await diffHere(before, edit(before, [['path: a.pem, kid: key-a', 'path: b.pem, kid: key-b']]));
    expect(run.code).toBe(1);
    // Swapping the key in one step is the unsafe rotation: both hazards are told.
    expect(run.lines).toEqual([
      'key published: kid key-b (keystore signing)',
      expect.stringMatching(/^key retired: kid key-a \(keystore signing\); OLD signs with it: tokens it issued stop verifying/),
      expect.stringMatching(/^signing key changed: pipe m2m: kid key-a → kid key-b; kid key-b not published before: resource servers holding a cached \/jwks cannot verify/),
      expect.stringMatching(/^signing key changed: keystore signing: kid key-a → kid key-b; kid key-b not published before/),
    ]);
    expect(run.json.keys).toMatchObject({ published: [{ kid: 'key-b', keystore: 'signing' }], retired: [{ kid: 'key-a', keystore: 'signing', still_signing: true }] });
    expect(run.json.signing).toEqual([
      { pipe: 'm2m', from: ['key-a'], to: ['key-b'], unannounced: ['key-b'] },
      { keystore: 'signing', from: ['key-a'], to: ['key-b'], unannounced: ['key-b'] },
    ]);
  });

  it('a safe rotation, step by step: announce (next), sign (current), retire (previous) — no hazard told', async () => {
    const ours = (signWith: string, keys: string) => edit(BASE, [
      ['  - { id: signing, type: pem, path: a.pem }\n', keys],
      ['keystore: signing, jwt_ttl: 60', `keystore: ${signWith}, jwt_ttl: 60`],
    ]);
    const a = '  - { id: key-a, type: pem, path: a.pem, kid: key-a }\n';
    const b = '  - { id: key-b, type: pem, path: b.pem, kid: key-b }\n';
    const steps = [ours('key-a', a), ours('key-a', a + b), ours('key-b', a + b), ours('key-b', b)];
    const announce = await diffHere(steps[0]!, steps[1]!);
    const sign = await diffHere(steps[1]!, steps[2]!);
    const retire = await diffHere(steps[2]!, steps[3]!);
    expect(announce.lines).toEqual(['key published: kid key-b (keystore key-b)']);
    expect(sign.lines).toEqual(['pipe changed: m2m: valve 2 CreateJwt: config changed (used by orders, legacy)', 'signing key changed: pipe m2m: kid key-a → kid key-b']);
    expect(sign.json.signing).toEqual([{ pipe: 'm2m', from: ['key-a'], to: ['key-b'], unannounced: [] }]);
    expect(retire.lines).toEqual(['key retired: kid key-a (keystore key-a)']);
    expect(retire.json.keys.retired).toEqual([{ kid: 'key-a', keystore: 'key-a', still_signing: false }]);
  });

  it('the README rotation with key states (next, current + previous, current): each step tells only its own change', async () => {
    const keys = (entries: string) => edit(BASE, [['  - { id: signing, type: pem, path: a.pem }\n', entries]]);
    const a = (state = '') => `  - { id: signing, type: pem, path: a.pem, kid: key-a${state} }\n`;
    const b = (state = '') => `  - { id: signing, type: pem, path: b.pem, kid: key-b${state} }\n`;
    const steps = [keys(a()), keys(a() + b(', state: next')), keys(a(', state: previous') + b()), keys(b())];
    const announce = await diffHere(steps[0]!, steps[1]!);
    const sign = await diffHere(steps[1]!, steps[2]!);
    const retire = await diffHere(steps[2]!, steps[3]!);
    // A next key is published; a previous one still is (no retire_at); one id, one keystore line.
    expect(announce.lines).toEqual(['key published: kid key-b (keystore signing)']);
    expect(sign.lines).toEqual(['signing key changed: pipe m2m: kid key-a → kid key-b', 'signing key changed: keystore signing: kid key-a → kid key-b']);
    expect(sign.json.keys).toMatchObject({ published: [], retired: [] });
    expect(sign.json.signing.map((change: { unannounced: string[] }) => change.unannounced)).toEqual([[], []]);
    expect(retire.lines).toEqual(['key retired: kid key-a (keystore signing)']);
    expect(retire.json.keys.retired).toEqual([{ kid: 'key-a', keystore: 'signing', still_signing: false }]);
    // Skipping the announce step is still told as the hazard it is.
    const skipped = await diffHere(steps[0]!, steps[2]!);
    expect(skipped.json.signing.map((change: { unannounced: string[] }) => change.unannounced)).toEqual([['key-b'], ['key-b']]);
  });

  it('publish: false on a key retires it', async () => {
    const next = edit(BASE, [['  - { id: dev, type: generated }', '  - { id: dev, type: generated }\n  - { id: next, type: pem, path: b.pem, kid: key-b }']]);
    const run = await diffHere(next, edit(next, [['kid: key-b }', 'kid: key-b, publish: false }']]));
    expect(run.lines).toEqual(['key retired: kid key-b (keystore next)']);
  });

  it('a different key under a kid already published is told as replaced', async () => {
    const before = edit(BASE, [['path: a.pem }', 'path: a.pem, kid: k1 }']]);
    const run = await diffHere(before, edit(before, [['path: a.pem, kid: k1', 'path: b.pem, kid: k1']]));
    expect(run.lines).toEqual([expect.stringMatching(/^key replaced: kid k1 \(keystore signing\)/)]);
    expect(run.json.keys.replaced).toEqual([{ kid: 'k1', keystore: 'signing' }]);
  });

  it('a generated keystore is compared by its id and alg, and says so', async () => {
    const run = await diffHere(BASE, edit(BASE, [['{ id: dev, type: generated }', '{ id: dev, type: generated, alg: RS256 }']]));
    expect(run.lines).toEqual([expect.stringMatching(/^generated keystore changed: dev: ES256 → RS256 \(compared by id and alg/)]);
    expect(run.json.keys.generated).toEqual([{ keystore: 'dev', change: 'changed', from: { alg: 'ES256', publish: true }, to: { alg: 'RS256', publish: true } }]);
    expect(run.json.signing).toEqual([]);
  });

  it('issuer and server settings, marked when they need a restart; a store URL is never printed', async () => {
    const run = await diffHere(BASE, edit(BASE, [
      ['issuer: http://127.0.0.1:8080\n', 'issuer: http://127.0.0.1:8080/tenant\nserver: { port: 9090 }\nstore: { type: redis, url: "redis://:hunter2@127.0.0.1:6379" }\n'],
    ]));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      'setting changed: issuer: http://127.0.0.1:8080 → http://127.0.0.1:8080/tenant (needs a restart: a reload keeps the old value)',
      'setting changed: server.port: 8080 → 9090 (needs a restart: a reload keeps the old value)',
      'setting changed: store.type: memory → redis',
      'setting changed: store.url changed',
    ]);
    expect(run.json.settings).toContainEqual({ setting: 'store.url', restart: false });
    expect(run.stdout).not.toContain('hunter2');
  });

  it('trusted issuers added, removed and changed (fields by name), and roles', async () => {
    const jwk = JSON.stringify(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }));
    const issuers = (entries: string) => `trusted_issuers:\n${entries}roles: [reader]\n`;
    const entry = (id: string, audience: string) => `  - { id: ${id}, issuer: "https://${id}.example.com", jwks: { keys: [${jwk}] }, audiences: ["${audience}"], algorithms: [RS256] }\n`;
    const run = await diffHere(issuers(entry('entra', 'api://a') + entry('okta', 'api://a')) + BASE, edit(issuers(entry('entra', 'api://b') + entry('auth0', 'api://a')), [['[reader]', '[reader, writer]']]) + BASE);
    expect(run.lines).toEqual([
      'trusted issuer added: auth0',
      'trusted issuer removed: okta',
      'trusted issuer changed: entra: audiences changed',
      'setting changed: roles: ["reader"] → ["reader","writer"]',
    ]);
    expect(run.json.trusted_issuers).toEqual({ added: ['auth0'], removed: ['okta'], changed: [{ id: 'entra', fields: ['audiences'] }] });
  });

  it('an id with terminal control characters is printed quoted, not acted on', async () => {
    const run = await diffHere(BASE, edit(BASE, [['- id: dev-pipe', '- id: "dev\\e[31m-pipe"']]));
    expect(run.lines).toContain('pipe added: "dev\\u001b[31m-pipe" (used by no client)');
    expect(run.stdout).not.toContain('\u001b');
  });
});
