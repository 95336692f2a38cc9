/**
 * `sluice token`: a debugging client. Discovers the token endpoint from the issuer, asks
 * for a client_credentials token and prints the access token (or the whole response).
 */
import { parse, readStdin, UsageError } from './usage.js';

export async function token(args: string[]): Promise<number> {
  const { values } = parse(args, {
    issuer: { type: 'string', default: 'http://127.0.0.1:8080' },
    'client-id': { type: 'string' },
    'secret-env': { type: 'string' },
    scope: { type: 'string' },
    resource: { type: 'string', multiple: true },
    auth: { type: 'string', default: 'basic' },
    json: { type: 'boolean' },
  });
  const clientId = values['client-id'];
  if (!clientId) throw new UsageError('--client-id is required');
  if (values.auth !== 'basic' && values.auth !== 'post') throw new UsageError('--auth must be basic or post');
  const secretEnv = values['secret-env'];
  const secret = secretEnv ? process.env[secretEnv] : (await readStdin()).replace(/\r?\n$/, '');
  if (!secret) throw new UsageError(secretEnv ? `environment variable ${secretEnv} is not set` : 'no client secret on stdin');

  const issuer = values.issuer.replace(/\/+$/, '');
  const metadata = (await (await request(`${issuer}/.well-known/oauth-authorization-server`)).json()) as ServerMetadata;
  if (!metadata.token_endpoint) throw new Error(`${issuer} publishes no token_endpoint`);

  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (values.scope) body.set('scope', values.scope);
  for (const resource of values.resource ?? []) body.append('resource', resource);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const form = (s: string) => encodeURIComponent(s).replaceAll('%20', '+'); // RFC 6749 section 2.3.1
  if (values.auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${form(clientId)}:${form(secret)}`).toString('base64')}`;
  else body.set('client_id', clientId), body.set('client_secret', secret);

  const response = await request(metadata.token_endpoint, { method: 'POST', headers, body });
  const result = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    process.stderr.write(`sluice: ${response.status} ${String(result.error)}: ${String(result.error_description ?? '')}\n`);
    if (result.error === 'invalid_client') process.stderr.write(otherAuthHint(values.auth, metadata));
    return 1;
  }
  process.stdout.write((values.json ? JSON.stringify(result, null, 2) : String(result.access_token)) + '\n');
  return 0;
}

interface ServerMetadata {
  token_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
}

const AUTH_METHODS = { basic: 'client_secret_basic', post: 'client_secret_post' } as const;

/**
 * A client registered for client_secret_post is refused when it sends Basic, and the other
 * way round, with the same "authentication failed" as a wrong secret (the server must not
 * say which). When the server offers the other method, that is the likely mix-up.
 */
function otherAuthHint(used: 'basic' | 'post', metadata: ServerMetadata): string {
  const other = used === 'basic' ? 'post' : 'basic';
  if (!metadata.token_endpoint_auth_methods_supported?.includes(AUTH_METHODS[other])) return '';
  return `sluice: hint: if the client is registered for ${AUTH_METHODS[other]}, try --auth ${other} (the server answers the same for a wrong method as for a wrong secret)\n`;
}

async function request(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}
