/**
 * TokenCache's key: everything the flow holds that can shape the token, hashed. Two flows
 * share a key only when they agree on all of it, so a cached token is never handed to
 * another client, or for another scope, audience, set of claims or parameters.
 */
import { createHash } from 'node:crypto';
import type { Client, Flow } from '../engine/index.js';

/**
 * Parameters that never shape the token: `state` is echoed per request by the endpoint (and
 * never kept in the cache), so a client that sends a new one each time still reuses.
 */
const ALWAYS_IGNORED = ['state'];

/**
 * JSON with object keys sorted, so that the same data in another order is the same key;
 * an object's keys in `skip` are left out. Written with loops: it runs on every request.
 */
function canonical(value: unknown, skip?: ReadonlySet<string>): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return 'null';
  if (typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`not JSON: ${typeof value}`); // a function, a symbol
    return text;
  }
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonical(value[i]);
    return text + ']';
  }
  const keys = Object.keys(value);
  if (keys.length > 1) keys.sort();
  let text = '{';
  for (const key of keys) {
    if (skip?.has(key)) continue;
    text += (text.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonical((value as Record<string, unknown>)[key]);
  }
  return text + '}';
}

/** The parameters a key leaves out: `state`, and those the config names (correlation ids). */
export function ignoredParams(configured: readonly string[]): ReadonlySet<string> {
  return new Set([...ALWAYS_IGNORED, ...configured]);
}

/**
 * The client as registered, written out. The engine's clients are deeply frozen
 * (engine/clients.ts) and shared by every request of theirs, so each is written once (per
 * engine: a reload makes new ones); anything else, every time.
 */
const clientTexts = new WeakMap<Client, string>();

function clientText(client: Client): string {
  if (!Object.isFrozen(client)) return canonical(client);
  let text = clientTexts.get(client);
  if (text === undefined) clientTexts.set(client, (text = canonical(client)));
  return text;
}

/** The key of `flow` in the cache named `scope`, or undefined when the flow holds what is not JSON. */
export function tokenCacheKey(scope: string, flow: Flow, ignored: ReadonlySet<string>): string | undefined {
  let text: string;
  try {
    text = [
      // The client as registered, not only its id: a reload that changes its scopes,
      // audiences or attributes must not hand out a token made under the old ones.
      clientText(flow.client),
      canonical([flow.grant.type, flow.grant.scope, flow.grant.audience]),
      canonical(flow.request.params, ignored),
      canonical(flow.claims),
      // What earlier valves wrote for later ones (templates read ${state.…}).
      canonical(flow.state),
      // A JWT-bearer or token-exchange grant: the token presented shapes what is issued.
      canonical(flow.assertion ?? null),
    ].join('\0'); // JSON escapes control characters: a \0 between the parts is never inside one
  } catch {
    return undefined; // a cycle or a BigInt a plugin left in the flow
  }
  return `tokencache:${createHash('sha256').update(scope).update('\0').update(text).digest('base64url')}`;
}
