/**
 * TokenCache's key: everything the flow holds that can shape the token, hashed. Two flows
 * share a key only when they agree on all of it, so a cached token is never handed to
 * another client, or for another scope, audience, set of claims or parameters.
 */
import { createHash } from 'node:crypto';
import type { Flow } from '../engine/index.js';

/**
 * Parameters that never shape the token: `state` is echoed per request by the endpoint (and
 * never kept in the cache), so a client that sends a new one each time still reuses.
 */
const ALWAYS_IGNORED = ['state'];

/** JSON with object keys sorted, so that the same data in another order is the same key. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  if (value === undefined) return 'null';
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`not JSON: ${typeof value}`); // a function, a symbol
  return text;
}

/** The parameters a key leaves out: `state`, and those the config names (correlation ids). */
export function ignoredParams(configured: readonly string[]): ReadonlySet<string> {
  return new Set([...ALWAYS_IGNORED, ...configured]);
}

/** The key of `flow` in the cache named `scope`, or undefined when the flow holds what is not JSON. */
export function tokenCacheKey(scope: string, flow: Flow, ignored: ReadonlySet<string>): string | undefined {
  const params = Object.fromEntries(Object.entries(flow.request.params).filter(([name]) => !ignored.has(name)));
  const parts = {
    // The client as registered, not only its id: a reload that changes its scopes,
    // audiences or attributes must not hand out a token made under the old ones.
    client: flow.client,
    grant: { type: flow.grant.type, scope: flow.grant.scope, audience: flow.grant.audience },
    params,
    claims: flow.claims,
    // What earlier valves wrote for later ones (templates read ${state.…}).
    state: flow.state,
    // A JWT-bearer or token-exchange grant: the token presented shapes what is issued.
    assertion: flow.assertion ?? null,
  };
  let text: string;
  try {
    text = canonical(parts);
  } catch {
    return undefined; // a cycle or a BigInt a plugin left in the flow
  }
  return `tokencache:${createHash('sha256').update(scope).update('\0').update(text).digest('base64url')}`;
}
