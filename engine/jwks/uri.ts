/**
 * Which key-set URLs we fetch: https, or http on loopback only (a local test or sidecar).
 * Plain http elsewhere would let anyone on the path swap the keys that prove a client.
 */
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Why `uri` may not be fetched, or undefined when it may. */
export function jwksUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `'${uri}' is not a URL`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must be an https URL (http only on loopback: 127.0.0.1, [::1], localhost)';
}
