/**
 * `sluice secret generate` through the built binary: a 256-bit secret and its `$sha256$`
 * hash, scriptable (two lines, or --json); pasted into `client_secrets` it works end to
 * end (`check`, `serve`, a token for the printed secret), and `check` points at rotation
 * mistakes by FILE:LINE:COL.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { positionOf } from '../helpers/positions.js';
import { checkBoth, expectErrors, removeTempDirs, requireBuild, serve, sluice, trackedTempDir, type Served } from './cli.js';

const SECRET = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url: no + / or =
const HASH = /^\$sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;
const OLD_SECRET = 'old-secret-0123456789';

/** The operator's config after pasting the hash; the old secret has a not_after. */
const config = (hash: string, oldNotAfter: string) => `keystores:
  - { id: signing, type: generated, alg: ES256 }
rps:
  - client_id: rotating
    token_endpoint_auth_method: client_secret_post
    client_secrets:
      - secret: \${env.OLD_SECRET}
        not_after: ${oldNotAfter}
      - hash: "${hash}"
    scopes: [orders.read]
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: ScopeCheck
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;

beforeAll(requireBuild);
afterAll(removeTempDirs);

describe.concurrent('sluice secret generate', () => {
  it('prints the secret (line 1) and its hash (line 2) on stdout, says which is which on stderr', async () => {
    const [a, b] = await Promise.all([sluice(['secret', 'generate']), sluice(['secret', 'generate'])]);
    for (const result of [a, b]) {
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines).toHaveLength(3); // two lines, each ended by a newline
      expect(lines[0]).toMatch(SECRET);
      expect(lines[1]).toMatch(HASH);
      expect(lines[2]).toBe('');
      expect(result.stderr).toContain('client_secrets');
    }
    expect(a.stdout.split('\n')[0]).not.toBe(b.stdout.split('\n')[0]);
  });

  it('--json prints {secret, hash}; the hash is HMAC-SHA-256 of the secret keyed by the salt', async () => {
    const result = await sluice(['secret', 'generate', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { secret, hash } = JSON.parse(result.stdout) as { secret: string; hash: string };
    expect(secret).toMatch(SECRET);
    expect(hash).toMatch(HASH);
    const [, , salt, digest] = hash.split('$');
    expect(createHmac('sha256', Buffer.from(salt!, 'base64url')).update(secret).digest('base64url')).toBe(digest);
  });

  it('usage: extra arguments or unknown flags exit 2 with nothing on stdout', async () => {
    const results = await Promise.all([sluice(['secret', 'generate', 'extra']), sluice(['secret', 'generate', '--bogus']), sluice(['secret', 'bogus'])]);
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
    }
  });
});

describe('a generated secret pasted into client_secrets', () => {
  let server: Served;
  let secret: string;
  let dir: string;
  let yaml: string;
  beforeAll(async () => {
    const generated = await sluice(['secret', 'generate']);
    expect(generated.code, generated.stderr).toBe(0);
    const [printedSecret, hash] = generated.stdout.split('\n');
    secret = printedSecret!;
    dir = trackedTempDir();
    yaml = config(hash!, '2099-01-31T00:00:00Z');
    writeFileSync(join(dir, 'sluice.yaml'), yaml);
    server = await serve('sluice.yaml', { cwd: dir, env: { OLD_SECRET } });
  }, 30_000);
  afterAll(() => server?.kill());

  async function token(clientSecret: string) {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'rotating', client_secret: clientSecret }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('passes check', async () => {
    const { text, report } = await checkBoth('sluice.yaml', { cwd: dir, env: { OLD_SECRET } });
    expect(text.code, text.stdout).toBe(0);
    expect(report.diagnostics.filter((d) => d.code !== 'keystore_invalid')).toEqual([]);
  });

  it('gets a token for the printed secret, and for the old one until its not_after', async () => {
    for (const clientSecret of [secret, OLD_SECRET]) {
      const { status, body } = await token(clientSecret);
      expect(status, JSON.stringify(body)).toBe(200);
      const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
      const { payload } = await jwtVerify(String(body.access_token), jwks, { issuer: server.url, typ: 'at+jwt' });
      expect(payload).toMatchObject({ client_id: 'rotating', scope: 'orders.read' });
    }
  });

  it('refuses a wrong secret (401 invalid_client)', async () => {
    const { status, body } = await token(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`);
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });
});

describe('sluice check on client_secrets', () => {
  it('warns (exit 0) at FILE:LINE:COL about a secret past its not_after', async () => {
    const dir = trackedTempDir();
    const yaml = config('$sha256$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43), '2020-01-31T00:00:00Z');
    writeFileSync(join(dir, 'sluice.yaml'), yaml);
    const { text, report } = await checkBoth('sluice.yaml', { cwd: dir, env: { OLD_SECRET } });
    expect(text.code).toBe(0);
    const { line, col } = positionOf(yaml, '2020-01-31');
    expect(text.stdout).toContain(`sluice.yaml:${line}:${col}: warning: `);
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'schema', line, col }));
  });

  it('refuses (exit 1) at FILE:LINE:COL a hash that is neither $scrypt$ nor $sha256$, and one too short', async () => {
    const dir = trackedTempDir();
    const yaml = config('$argon2id$v=19$c2FsdA$aGFzaA', '2099-01-31T00:00:00Z').replace(
      'pipes:',
      `  - client_id: short-hash\n    client_secrets: [{ hash: "$sha256$AAAA$AAAA" }]\n    client_credentials_pipe_id: m2m\npipes:`,
    );
    writeFileSync(join(dir, 'sluice.yaml'), yaml);
    expectErrors('sluice.yaml', await checkBoth('sluice.yaml', { cwd: dir, env: { OLD_SECRET } }), [
      { ...positionOf(yaml, '"$argon2id'), code: 'schema' },
      { ...positionOf(yaml, '"$sha256$AAAA'), code: 'schema' },
    ]);
  });
});
