/**
 * HttpRequest: what the upstream is sent and what the caller gets. Claims come from the
 * upstream's answer into a token verified against the served JWKS; a caller's values stay
 * inside their path segment or query value; a failed call answers on_error and says
 * nothing of the upstream; the log never holds the directory's credentials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';
import { upstream, type Handler, type Upstream } from './http-upstream.js';

const ENV = { SVC_SECRET: 'svc-secret-0123456789', DIR_TOKEN: 'dir-token-SECRET-4242' };
const AUTH = { authorization: basic('svc', ENV.SVC_SECRET) };

/** A pipe: HttpRequest with `config` (YAML flow-map body), then a JWT with the team claim. */
const pipe = (config: string, claims = 'team: "${state.dir.body.team}"') => `
keystores: [{ id: signing, type: generated }]
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
      - name: HttpRequest
        config: { dest: dir, ${config} }
      - name: CreateJwt
        config: { keystore: signing, jwt_claims: { ${claims} } }
      - name: TokenResponse
`;

let up: Upstream | undefined;
let sluice: Running | undefined;
afterEach(async () => {
  await sluice?.close();
  await up?.close();
  sluice = up = undefined;
});

async function start(handler: Handler, config: (origin: string) => string, claims?: string): Promise<Running> {
  up = await upstream(handler);
  sluice = await serve(pipe(config(up.origin), claims), { env: ENV });
  return sluice;
}

const json = (status: number, body: unknown): Handler => (_seen, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function claimsOf(s: Running, form: Record<string, string> = {}) {
  const r = await postToken(s.url, { grant_type: 'client_credentials', ...form }, AUTH);
  expect(r.status).toBe(200);
  return (await verifyToken(s.url, String(r.body.access_token))).payload;
}

describe('HttpRequest answers', () => {
  it('puts the JSON answer under dest: a later valve signs a claim from it; the configured header is sent', async () => {
    const s = await start(json(200, { team: 'payments' }), (o) => `url: "${o}/users/\${client.client_id}", headers: { Authorization: "Bearer \${env.DIR_TOKEN}" }`);
    expect((await claimsOf(s)).team).toBe('payments');
    expect(up!.seen).toHaveLength(1);
    expect(up!.seen[0]).toMatchObject({ method: 'GET', target: '/users/svc', body: '' });
    expect(up!.seen[0]!.headers.authorization).toBe(`Bearer ${ENV.DIR_TOKEN}`);
  });

  it('gives a non-JSON answer as text, with status and lower-cased headers', async () => {
    const handler: Handler = (_seen, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Team-Source': 'ldap' });
      res.end('platform');
    };
    const s = await start(handler, (o) => `url: "${o}/team"`, 'team: "${state.dir.body}", status: "${item.dir.status}", source: "${state.dir.headers.x-team-source}"');
    expect(await claimsOf(s)).toMatchObject({ team: 'platform', status: 200, source: 'ldap' });
  });

  it('sends a JSON body with the caller\'s value as a JSON string, never as JSON syntax', async () => {
    const s = await start(json(200, { team: 'ops' }), (o) => `method: POST, url: "${o}/lookup", body: { client: "\${client.client_id}", hint: "\${request.params.hint}" }`);
    const hint = '", "admin": true, "x": "';
    expect((await claimsOf(s, { hint })).team).toBe('ops');
    expect(up!.seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(up!.seen[0]!.body)).toEqual({ client: 'svc', hint });
  });

  it('percent-encodes a caller\'s values: they stay inside their path segment and query value', async () => {
    const s = await start(json(200, { team: 'x' }), (o) => `url: "${o}/users/\${request.params.user}/roles?team=\${request.params.team}&fixed=1"`);
    await claimsOf(s, { user: '../admin?x=1#f', team: 'a&fixed=2#frag' });
    expect(up!.seen[0]!.target).toBe('/users/..%2Fadmin%3Fx%3D1%23f/roles?team=a%26fixed%3D2%23frag&fixed=1');
  });

  it.each(['..', '.'])('does not call the upstream when a caller\'s value is the path segment %j (the URL parser would remove it)', async (user) => {
    const s = await start(json(200, { team: 'x' }), (o) => `url: "${o}/users/\${request.params.user}/roles"`);
    const r = await postToken(s.url, { grant_type: 'client_credentials', user }, AUTH);
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('temporarily_unavailable');
    expect(up!.seen).toHaveLength(0);
  });
});

describe('HttpRequest failures', () => {
  it.each([
    ['a 5xx', json(500, { team: 'leaked-from-upstream' })],
    ['a 4xx', json(404, { error: 'leaked-from-upstream' })],
    ['invalid JSON declared as JSON', ((_s, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"team": leaked-from-upstream'); }) as Handler],
    ['a redirect, which is not followed', ((seen, res) => { res.writeHead(302, { location: '/elsewhere' }); res.end(); }) as Handler],
  ])('answers 503 temporarily_unavailable for %s, with nothing of the upstream in the body', async (_name, handler) => {
    const s = await start(handler, (o) => `url: "${o}/users/\${client.client_id}?key=query-secret"`);
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, AUTH);
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('temporarily_unavailable');
    const text = JSON.stringify(r.body);
    for (const leak of ['leaked', '127.0.0.1', 'users', 'query-secret', 'elsewhere']) expect(text).not.toContain(leak);
    expect(up!.seen.map((x) => x.target)).toEqual(['/users/svc?key=query-secret']); // the redirect target was never asked
  });

  it('answers the configured OAuth error', async () => {
    const s = await start(json(404, {}), (o) => `url: "${o}/users/x", on_error: invalid_grant`);
    const r = await postToken(s.url, { grant_type: 'client_credentials' }, AUTH);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });

  it('with on_error continue, leaves dest unset and the pipe goes on', async () => {
    const s = await start(json(503, {}), (o) => `url: "${o}/users/x", on_error: continue`);
    const claims = await claimsOf(s);
    expect(claims.sub).toBe('svc');
    expect(claims).not.toHaveProperty('team');
  });

  it('logs host, path, status and outcome: never the request headers, the query or the answer', async () => {
    const s = await start(json(500, { secret: 'answer-secret' }), (o) => `url: "${o}/users/\${client.client_id}?api_key=query-secret", headers: { Authorization: "Bearer \${env.DIR_TOKEN}" }`);
    await postToken(s.url, { grant_type: 'client_credentials' }, AUTH);
    const line = s.logs.lines.find((l) => l.msg === 'HttpRequest call');
    expect(line?.upstream).toEqual({ method: 'GET', host: new URL(up!.origin).host, path: '/users/svc', status: 500, outcome: 'status' });
    for (const secret of [ENV.DIR_TOKEN, 'query-secret', 'answer-secret']) expect(s.logs.text).not.toContain(secret);
  });
});
