/**
 * Shared set-up for the token lifecycle endpoints: BASIC_CONFIG served at its own URL (so
 * that openid-client accepts the discovered issuer), plus a resource server that may
 * introspect any token, and a clock the test can move.
 */
import { BASIC_CONFIG, BASIC_ENV, basic, postToken, serve, type Running } from '../helpers/sluice.js';

export const ORDERS = { id: 'orders-service', secret: BASIC_ENV.ORDERS_SECRET } as const; // client_secret_basic
export const POSTER = { id: 'poster', secret: BASIC_ENV.POSTER_SECRET } as const; // client_secret_post
export const RESOURCE_SERVER = { id: 'orders-api', secret: 'orders-api-secret-0123456789' } as const;

/** BASIC_CONFIG served at its own URL, with a resource server among its rps. */
export const LIFECYCLE_CONFIG = BASIC_CONFIG.replace(/^issuer:.*\n/m, '').replace(
  '\npipes:',
  `\n  - client_id: ${RESOURCE_SERVER.id}\n    client_secret: \${env.RS_SECRET}\n    introspection: true\npipes:`,
);

/** A clock in seconds that tests move forward; starts at the real time. */
export class TestClock {
  seconds = Math.floor(Date.now() / 1000);
  readonly now = (): number => this.seconds;
}

export interface Lifecycle extends Running {
  clock: TestClock;
}

export async function serveLifecycle(): Promise<Lifecycle> {
  const clock = new TestClock();
  const running = await serve(LIFECYCLE_CONFIG, { env: { ...BASIC_ENV, RS_SECRET: RESOURCE_SERVER.secret }, now: clock.now });
  return { ...running, clock };
}

/** A token for orders-service (client_secret_basic). */
export async function ordersToken(url: string, scope = 'orders.read'): Promise<string> {
  const response = await postToken(url, { grant_type: 'client_credentials', scope }, { authorization: basic(ORDERS.id, ORDERS.secret) });
  if (response.status !== 200) throw new Error(`token request failed: ${JSON.stringify(response.body)}`);
  return response.body.access_token as string;
}

/** A token for poster (client_secret_post). */
export async function posterToken(url: string): Promise<string> {
  const response = await postToken(url, { grant_type: 'client_credentials', client_id: POSTER.id, client_secret: POSTER.secret });
  if (response.status !== 200) throw new Error(`token request failed: ${JSON.stringify(response.body)}`);
  return response.body.access_token as string;
}

/** POST a form to `path`; status, headers and the body as text. */
export async function postForm(url: string, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export async function introspect(url: string, token: string, who: { id: string; secret: string } = RESOURCE_SERVER, headers: Record<string, string> = {}) {
  const answer = await postForm(url, '/introspect', { token }, { authorization: basic(who.id, who.secret), ...headers });
  return { ...answer, body: JSON.parse(answer.text) as Record<string, unknown> };
}
