/**
 * The reference: a bare node:http server that does only the job both servers are measured
 * on, and nothing a real server adds (no config, routing, request log, metrics, deadlines,
 * errors beyond a refusal): Basic credentials, a SHA-256 digest compared in constant time,
 * the form, the RFC 9068 claims, the same key signing on the threadpool, the JSON answer.
 * It is not a server to use; it shows, in the same run, how far any server could go on
 * this machine with this load generator, which is what the ratios are bounded by.
 * Run as its own process: `node reference-main.js SETTINGS.json`.
 */
import { createHash, createPrivateKey, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { ReferenceSettings } from './reference.js';

const settings = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ReferenceSettings;
const key = createPrivateKey({ key: settings.privateJwk as never, format: 'jwk' });
const { alg } = settings;
const signOptions = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
const digest = alg === 'EdDSA' ? null : 'sha256';
const header = Buffer.from(JSON.stringify({ alg, typ: 'at+jwt', kid: settings.privateJwk.kid })).toString('base64url');
const expected = createHash('sha256').update(`${settings.clientId}:${settings.clientSecret}`).digest();
const jwks = JSON.stringify({ keys: [settings.publicJwk] });

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/jwks') return answer(response, 200, jwks);
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    const credentials = Buffer.from((request.headers.authorization ?? '').slice(6), 'base64').toString();
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return answer(response, 400, '{"error":"unsupported_grant_type"}');
    if (!timingSafeEqual(createHash('sha256').update(credentials).digest(), expected)) return answer(response, 401, '{"error":"invalid_client"}');
    const scope = form.get('scope') ?? settings.scopes.join(' ');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: settings.issuer, sub: settings.clientId, aud: settings.audience, client_id: settings.clientId, iat: now, exp: now + settings.lifetimeSeconds, jti: randomBytes(16).toString('base64url'), scope };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    sign(digest, Buffer.from(input), signOptions, (error, signature) => {
      if (error) return answer(response, 500, '{"error":"server_error"}');
      answer(response, 200, JSON.stringify({ access_token: `${input}.${signature.toString('base64url')}`, token_type: 'Bearer', expires_in: settings.lifetimeSeconds, scope }));
    });
  });
}).listen(settings.port, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
