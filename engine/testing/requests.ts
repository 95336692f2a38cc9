/**
 * The test kit's clients and token requests: plain data a test writes, turned into an RP
 * entry of the config the kit loads and into the form a real client would post.
 */
import { randomBytes } from 'node:crypto';

/** A registered client for a test: an RP entry (any RP key may be given), with defaults. */
export interface TestClient {
  readonly client_id: string;
  /** Default client_secret_basic; client_secret_post and none are sent as such too. */
  readonly token_endpoint_auth_method?: string;
  readonly scopes?: readonly string[];
  readonly audiences?: readonly string[];
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Other RP keys, as in sluice.yaml (grant_pipes, introspection, …). */
  readonly [key: string]: unknown;
}

/** A client with defaults: `testClient()` is `svc` with scopes read and write. */
export function testClient(client: Partial<TestClient> = {}): TestClient {
  return { client_id: 'svc', scopes: ['read', 'write'], ...client };
}

/** A token request as a test writes it; every field has a default. */
export interface TestRequest {
  /** The client_id (default: the first of the kit's clients). */
  readonly client?: string;
  /** Default client_credentials. */
  readonly grant_type?: string;
  /** Form parameters besides grant_type and the credentials (scope, resource, audience, …). */
  readonly params?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * The secret to present: default the one the kit registered for the client; a string to
   * present another (a wrong secret); false to present none (for private_key_jwt, put
   * client_assertion in params).
   */
  readonly secret?: string | false;
  /** The caller's address. */
  readonly ip?: string;
}

/** A client_credentials request: `tokenRequest({ scope: 'read' })`. */
export function tokenRequest(params: Readonly<Record<string, string | readonly string[]>> = {}, options: Omit<TestRequest, 'params'> = {}): TestRequest {
  return { ...options, params };
}

/** A secret per kit instance: random, so no test relies on a value it did not set. */
export function newSecret(): string {
  return randomBytes(18).toString('base64url');
}

/** The form body and Authorization header a real client would send. */
export function encodeRequest(request: TestRequest, client: TestClient, registeredSecret: string): { body: string; authorization: string | undefined } {
  const form = new URLSearchParams({ grant_type: request.grant_type ?? 'client_credentials' });
  for (const [name, value] of Object.entries(request.params ?? {})) {
    for (const one of [value].flat()) form.append(name, one);
  }
  const secret = request.secret === undefined ? registeredSecret : request.secret;
  const method = client.token_endpoint_auth_method ?? 'client_secret_basic';
  if (secret === false || method === 'none') {
    if (!form.has('client_id')) form.set('client_id', client.client_id);
    return { body: form.toString(), authorization: undefined };
  }
  if (method === 'client_secret_post') {
    form.set('client_id', client.client_id);
    form.set('client_secret', secret);
    return { body: form.toString(), authorization: undefined };
  }
  // RFC 6749 section 2.3.1: both parts form-urlencoded before base64.
  const pair = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(secret)}`;
  return { body: form.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}
