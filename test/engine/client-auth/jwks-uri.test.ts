/**
 * A private_key_jwt client whose keys are behind a jwks_uri: fetched with a timeout, a
 * size limit and no redirects, cached, refetched on an unknown kid at most once per
 * cooldown; the URI down or slow fails that client only, never the others.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basic, freePort, postToken, serve, type Running } from '../../helpers/sluice.js';
import { assertion, assertionForm, rsaKeyPair, type KeyPair } from './assertion-kit.js';

/** A JWKS host under the test's control: what it answers, and how often it was asked. */
class JwksHost {
  fetches = 0;
  answer: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  private readonly server: Server = createServer((req, res) => {
    this.fetches += 1;
    this.answer(req, res);
  });
  private readonly hanging = new Set<ServerResponse>();

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  json(body: unknown, headers: Record<string, string> = {}): void {
    this.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
  }
  /** Accepts the request and never answers. */
  hang(): void {
    this.answer = (_req, res) => {
      this.hanging.add(res);
    };
  }
  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const SECRET = 'orders-secret-0123456789';

function config(jwksUri: string): string {
  return `
keystores:
  - id: signing
    type: generated
rps:
  - client_id: remote
    token_endpoint_auth_method: private_key_jwt
    jwks_uri: ${jwksUri}
    client_credentials_pipe_id: m2m
  - client_id: orders-service
    client_secret: \${env.SECRET}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
}

let key: KeyPair;
beforeAll(async () => {
  key = await rsaKeyPair('remote-1');
});

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function serveWith(jwksUri: string): Promise<Running> {
  const server = await serve(config(jwksUri), { env: { SECRET } });
  running.push(server);
  return server;
}
async function host(): Promise<{ host: JwksHost; url: string }> {
  const h = new JwksHost();
  const url = await h.start();
  running.push({ close: () => h.stop() });
  return { host: h, url: `${url}/jwks.json` };
}
const signedBy = (server: Running, pair: KeyPair, kid: string) =>
  assertion({ clientId: 'remote', audience: server.engine.issuer, key: pair.privateKey, header: { kid } });
const basicLogin = (server: Running) => postToken(server.url, { grant_type: 'client_credentials' }, { authorization: basic('orders-service', SECRET) });

describe('jwks_uri', () => {
  it('gets a token with a key from the jwks_uri, fetched once and then cached', async () => {
    const { host: jwks, url } = await host();
    jwks.json({ keys: [key.publicJwk] }, { 'cache-control': 'max-age=600' });
    const server = await serveWith(url);
    for (let i = 0; i < 3; i++) {
      const r = await postToken(server.url, assertionForm(await signedBy(server, key, 'remote-1')));
      expect(r.status).toBe(200);
    }
    expect(jwks.fetches).toBe(1);
  });

  it('follows a key rotation: an unknown kid triggers one refetch', async () => {
    const { host: jwks, url } = await host();
    jwks.json({ keys: [key.publicJwk] });
    const server = await serveWith(url);
    expect((await postToken(server.url, assertionForm(await signedBy(server, key, 'remote-1')))).status).toBe(200);
    const next = await rsaKeyPair('remote-2');
    jwks.json({ keys: [key.publicJwk, next.publicJwk] });
    expect((await postToken(server.url, assertionForm(await signedBy(server, next, 'remote-2')))).status).toBe(200);
    expect(jwks.fetches).toBe(2);
  });

  it('a burst of unknown kids makes at most one refetch per cooldown', async () => {
    const { host: jwks, url } = await host();
    jwks.json({ keys: [key.publicJwk] });
    const server = await serveWith(url);
    expect((await postToken(server.url, assertionForm(await signedBy(server, key, 'remote-1')))).status).toBe(200);
    const forged = await rsaKeyPair('x');
    // Waves of 8 concurrent requests: the fair limiter lets one address have 16 failures
    // pending (more would be 503, which is not what this test is about).
    for (let wave = 0; wave < 3; wave++) {
      const burst = await Promise.all(Array.from({ length: 8 }, async (_, i) => postToken(server.url, assertionForm(await signedBy(server, forged, `invented-${wave}-${i}`)))));
      expect(burst.map((r) => r.status)).toEqual(Array(8).fill(401));
    }
    expect(jwks.fetches).toBeLessThanOrEqual(2); // the first fetch and one refetch
    // The known key still works meanwhile.
    expect((await postToken(server.url, assertionForm(await signedBy(server, key, 'remote-1')))).status).toBe(200);
  });

  it('while the jwks_uri refuses connections, its client gets 401 and another client is served', async () => {
    const server = await serveWith(`http://127.0.0.1:${await freePort()}/jwks.json`);
    const [remote, other] = await Promise.all([postToken(server.url, assertionForm(await signedBy(server, key, 'remote-1'))), basicLogin(server)]);
    expect(remote.status).toBe(401);
    expect(remote.body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    expect(other.status).toBe(200);
  });

  it('while the jwks_uri never answers, other clients are served at once and its client gets 401 after the timeout', async () => {
    const { host: jwks, url } = await host();
    jwks.hang();
    const server = await serveWith(url);
    const started = Date.now();
    const finished: string[] = [];
    const remoteRequests = Array.from({ length: 5 }, async () => {
      const r = await postToken(server.url, assertionForm(await signedBy(server, key, 'remote-1')));
      finished.push('remote');
      return r;
    });
    const others = Array.from({ length: 5 }, async () => {
      const r = await basicLogin(server);
      finished.push('other');
      return r;
    });
    const otherResults = await Promise.all(others);
    expect(otherResults.map((r) => r.status)).toEqual(Array(5).fill(200));
    const remoteResults = await Promise.all(remoteRequests);
    expect(remoteResults.map((r) => r.status)).toEqual(Array(5).fill(401));
    expect(finished.slice(0, 5)).toEqual(Array(5).fill('other')); // served while the fetch hung
    expect(jwks.fetches).toBe(1); // concurrent requests shared one fetch
    expect(Date.now() - started).toBeLessThan(8000); // the 3 s timeout, generously
  });

  it.each([
    ['a redirect', (jwks: JwksHost, url: string) => {
      jwks.answer = (req, res) => {
        if (req.url === '/moved') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ keys: [key.publicJwk] }));
        } else {
          res.writeHead(302, { location: new URL('/moved', url).href });
          res.end();
        }
      };
    }],
    ['a body over 64 KiB', (jwks: JwksHost) => jwks.json({ keys: [key.publicJwk], padding: 'x'.repeat(70 * 1024) })],
    ['a body over 64 KiB without content-length', (jwks: JwksHost) => {
      jwks.answer = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.write(`{"keys":[${JSON.stringify(key.publicJwk)}],"padding":"`);
        for (let i = 0; i < 70; i++) res.write('x'.repeat(1024));
        res.end('"}');
      };
    }],
    ['not a JWK Set', (jwks: JwksHost) => jwks.json({ keys: 'none' })],
  ])('%s from the jwks_uri is refused (401)', async (_name, arrange) => {
    const { host: jwks, url } = await host();
    arrange(jwks, url);
    const server = await serveWith(url);
    const r = await postToken(server.url, assertionForm(await signedBy(server, key, 'remote-1')));
    expect(r.status).toBe(401);
    expect(jwks.fetches).toBe(1); // the redirect was not followed
  });
});
