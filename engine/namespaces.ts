/**
 * What a request-time expression may read: the namespaces of the flow and the fixed fields
 * of each. Defined once, next to the Flow types they mirror (`satisfies` makes the compiler
 * insist that a field added to Client, TokenRequest or Grant is added here too), so that
 * `${…}` templates and `exec_if` expressions (one language, engine/expression/) accept
 * the same names; engine/expression/compile.ts says how each reads from a flow.
 */
import type { Client, Grant, TokenRequest } from './flow.js';
import { closest } from './config/suggest.js';

/**
 * `value`: nothing below it; `list`: an index below it; `map`: any path below it (free-form);
 * `items`: FortifiedID's list of items (ITEMS_COUNTS, `[0]` and any path below it).
 */
export type FieldShape = 'value' | 'list' | 'map' | 'items';

const CLIENT_FIELDS = {
  client_id: 'value',
  token_endpoint_auth_method: 'value',
  scopes: 'list',
  audiences: 'list',
  attributes: 'map',
} as const satisfies Record<keyof Client, FieldShape>;

const TOKEN_REQUEST_FIELDS = {
  grant_type: 'value',
  client_id: 'value',
  scope: 'list',
  resource: 'list',
  audience: 'list',
  params: 'map',
  ip: 'value',
  at_lifetime: 'value',
  state: 'value',
  nonce: 'value',
  jti: 'value',
} as const satisfies Record<keyof TokenRequest, FieldShape>;

/**
 * `request` as expressions read it (engine/expression/compile.ts, requestView): FortifiedID's
 * `${request.scope}` is the GRANTED scope, space-separated text (absent when nothing is
 * granted), so a pasted pipe's `scope: ${request.scope}` never carries what the caller asked
 * for unchecked. What the caller asked for, a list, is `request.requested_scope`.
 */
const REQUEST_FIELDS = {
  ...TOKEN_REQUEST_FIELDS,
  scope: 'value',
  requested_scope: 'list',
} as const;

const GRANT_FIELDS = {
  type: 'value',
  scope: 'list',
  audience: 'list',
} as const satisfies Record<keyof Grant, FieldShape>;

/**
 * FortifiedID's `items`, the list of a flow's items. A Sluice flow has one item, its valve
 * outputs (`state`, which FortifiedID calls `item`): `items[0].X` reads `item.X`, and the list
 * is empty until a valve has written something, so `items.length > 0 && items[0].role ==
 * 'Admin'` and `!items[0].pwdLastSet` mean what FortifiedID's docs say. FortifiedID's
 * Java-style counts `.len` and `.size` are `.length` here, on `items` only.
 */
export const ITEMS_COUNTS = ['length', 'len', 'size'] as const;

/** `item` and `items[0]` are FortifiedID's names for valve outputs: the same object as `state`. */
export const REQUEST_NAMESPACES = {
  client: CLIENT_FIELDS,
  request: REQUEST_FIELDS,
  grant: GRANT_FIELDS,
  assertion: 'map',
  state: 'map',
  claims: 'map',
  item: 'map',
  items: 'items',
  now: 'value',
} as const satisfies Record<string, FieldShape | Record<string, FieldShape>>;

export type RequestNamespace = keyof typeof REQUEST_NAMESPACES;

export const LOAD_TIME_NAMESPACES = ['env', 'globals', 'file'] as const;

export function isRequestNamespace(name: string): name is RequestNamespace {
  return Object.hasOwn(REQUEST_NAMESPACES, name);
}

/**
 * The `state` path a read of valve outputs names, in any spelling: `state.X`, and
 * FortifiedID's `item.X` and `items[0].X` (`items` and `items[0]` are the whole state: the list
 * holds it). Undefined for any other read, `items.length` included. Every check that follows
 * valve outputs (pipe wiring, what the caller chose) reads through this, so that no spelling
 * escapes it.
 */
export function statePath(namespace: string, path: readonly string[]): readonly string[] | undefined {
  if (namespace === 'state' || namespace === 'item') return path;
  if (namespace !== 'items') return undefined;
  const [index, ...rest] = path;
  if (index === undefined) return [];
  return index === '0' ? rest : undefined;
}

/**
 * Why `namespace.path` names nothing a flow can hold, or undefined when it may. A typo
 * (`client.atributes`) would otherwise resolve to nothing on every request, silently.
 */
export function pathProblem(namespace: string, path: readonly string[]): string | undefined {
  const names = Object.keys(REQUEST_NAMESPACES);
  if (!isRequestNamespace(namespace)) {
    const hint = closest(namespace, [...names, ...LOAD_TIME_NAMESPACES]);
    return `unknown namespace '${namespace}'${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of ${names.join(', ')}`;
  }
  const shape = REQUEST_NAMESPACES[namespace];
  if (typeof shape === 'string') return shapeProblem(shape, namespace, path);
  const [field, ...rest] = path;
  if (field === undefined) return undefined; // the whole object
  if (!Object.hasOwn(shape, field)) {
    const fields = Object.keys(shape);
    const hint = closest(field, fields);
    return `'${namespace}' has no field '${field}'${hint ? ` (did you mean '${hint}'?)` : namespace === 'request' ? paramsHint(field) : ''}; fields: ${fields.join(', ')}`;
  }
  return shapeProblem(shape[field as keyof typeof shape], `${namespace}.${field}`, rest);
}

/**
 * FortifiedID's `request` holds every parameter sent to the pipe, and also what its engine
 * puts there (`request.used_auth`, after a login). Sluice reads the caller's form parameters
 * only as `request.params.X`: an unknown `request.X` falling back to them would let a caller
 * send `used_auth=otp` and pass a check meant for what the engine decided, and would turn a
 * misspelt field into the caller's choice.
 */
function paramsHint(field: string): string {
  // Pointing used_auth at request.params would advise exactly the forgery described above.
  if (field === 'used_auth') return " (FortifiedID's engine sets it after a user's login; a client credentials request has none, and 'request.params.used_auth' would be whatever the caller sends: decide by the client, e.g. 'client.attributes.…')";
  return /^[A-Za-z0-9_:-]+$/.test(field) ? ` (did you mean 'request.params.${field}', the form parameter the caller sends?)` : '';
}

function shapeProblem(shape: FieldShape, name: string, rest: readonly string[]): string | undefined {
  if (shape === 'items') return itemsProblem(rest);
  if (rest.length === 0 || shape === 'map') return undefined;
  if (shape === 'list' && rest.length === 1 && /^\d+$/.test(rest[0]!)) return undefined;
  return shape === 'list' ? `'${name}' is a list: only an index (such as '${name}.0') may follow it` : `'${name}' takes no path`;
}

function itemsProblem(path: readonly string[]): string | undefined {
  const [first, ...rest] = path;
  if (first === undefined || first === '0') return undefined;
  if (rest.length === 0 && (ITEMS_COUNTS as readonly string[]).includes(first)) return undefined;
  const how = "read 'items[0].X' (the same as 'item.X') or 'items.length'";
  if (/^\d+$/.test(first)) return `a flow holds one item, so 'items[${first}]' is always undefined; ${how}`;
  return `'items' is the list of the flow's items (one: its valve outputs); ${how}`;
}
