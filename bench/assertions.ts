/**
 * private_key_jwt client assertions (RFC 7523 section 3) signed before each run, so that
 * the load generator only sends them: signing in the generator would compete with the
 * server for the same two cores. Each has its own jti, since Sluice refuses a replay.
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { FORM, REQUESTED_SCOPE, type RequestSource, type TokenRequest } from './requests.js';

export interface AssertionClients {
  clientIds: readonly string[];
  privateKey: KeyObject;
  kid: string;
  /** The token endpoint URL: the assertion's aud. */
  audience: string;
  lifetimeSeconds: number;
}

const ASSERTION_TYPE = encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function assertionRequest(clients: AssertionClients, clientId: string, now: number): TokenRequest {
  const header = base64url({ alg: 'ES256', typ: 'JWT', kid: clients.kid });
  const claims = base64url({ iss: clientId, sub: clientId, aud: clients.audience, iat: now, exp: now + clients.lifetimeSeconds, jti: randomBytes(16).toString('base64url') });
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: clients.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return {
    headers: { 'content-type': FORM },
    body: `grant_type=client_credentials&scope=${REQUESTED_SCOPE}&client_assertion_type=${ASSERTION_TYPE}&client_assertion=${header}.${claims}.${signature}`,
  };
}

/**
 * A pool of `expected` fresh assertions per run, round robin over the clients (Sluice lets
 * one client present a bounded number per assertion lifetime). Past the pool's end it
 * starts over: those are replays, refused, and counted as failures of the row.
 */
export function assertionSource(clients: AssertionClients): RequestSource & { exhausted(): boolean } {
  let pool: TokenRequest[] = [];
  let index = 0;
  const now = () => Math.floor(Date.now() / 1000);
  return {
    first: () => assertionRequest(clients, clients.clientIds[0]!, now()),
    prepare(expected: number) {
      const issuedAt = now();
      pool = Array.from({ length: expected }, (_, i) => assertionRequest(clients, clients.clientIds[i % clients.clientIds.length]!, issuedAt));
      index = 0;
    },
    next: () => pool[index++ % pool.length]!,
    exhausted: () => index > pool.length,
  };
}
