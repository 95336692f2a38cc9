/**
 * Fuzz: random token soups and random mutations of valid expressions. Compiling either
 * succeeds or throws ConfigError, nothing else; evaluating on hostile flows never throws,
 * never returns a function, and returns nothing but primitives and data the flow holds
 * (so never Object.prototype, a constructor, globalThis or process). Seeded, so that a
 * failure is reproducible from the seed printed with it.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../engine/expression/index.js';
import { parseTemplate } from '../../../engine/template.js';
import { ConfigError } from '../../../engine/errors.js';
import type { Flow } from '../../../engine/flow.js';

/** mulberry32: a small seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'call', 'apply', 'bind', 'length'];
const VOCABULARY = [
  'client', 'request', 'grant', 'assertion', 'state', 'claims', 'item', 'now', 'items', 'process', 'globalThis', 'this', 'Function', 'env', 'globals', 'file',
  'attributes', 'params', 'scope', 'scopes', 'x', 'a', '0', '1', '1.5', '2e3', 'true', 'false', 'null', 'undefined',
  ...HOSTILE_NAMES, 'startsWith', 'endsWith', 'includes', 'map', 'eval',
  '.', '.', '[', ']', '(', ')', ',', '!', '==', '!=', '===', '!==', '<', '>', '<=', '>=', '&&', '||',
  "'s'", '"d"', "'__proto__'", "'constructor'", "'a}b'", "'\\u0041'", "'\\", "'", '"', '`', '$', '{', '}', '${', '=', ';', '+', '-', ':', '?', '=>', ' ', '\\', '\n',
];

const VALID = [
  "request.params.exec === 'true'",
  "state.user.status == 'complete' && !state.user.pwdLastSet",
  "client.attributes['x-y'].startsWith('a') || claims.list.includes(2)",
  'request.scope.length > 1 && grant.audience[0] != null',
  "(assertion.sub === 'alice' || item.k.endsWith('z')) && now >= 0",
  "claims.__proto__ == claims['constructor'] || state[request.params.key].length",
  "items.len > 0 && items[0].user.status == 'complete' || !items[0].pwdLastSet || items[request.params.key]",
];

function soup(next: () => number): string {
  const length = 1 + Math.floor(next() * 14);
  let out = '';
  for (let i = 0; i < length; i++) out += VOCABULARY[Math.floor(next() * VOCABULARY.length)]! + (next() < 0.3 ? ' ' : '');
  return out;
}

function mutate(source: string, next: () => number): string {
  let out = source;
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const piece = next() < 0.5 ? VOCABULARY[Math.floor(next() * VOCABULARY.length)]! : String.fromCharCode(32 + Math.floor(next() * 95));
    const kind = next();
    if (kind < 0.33) out = out.slice(0, at) + piece + out.slice(at);
    else if (kind < 0.66) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 4));
    else out = out.slice(0, at) + piece + out.slice(at + piece.length);
  }
  return out;
}

/** Flows built to tempt an escape: prototype-named keys, getters, functions, null prototypes, throwing proxies. */
function hostileFlows(): Flow[] {
  const fromJson = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "toString": "t", "valueOf": {"x": 1}, "hasOwnProperty": "h", "length": 2}') as Record<string, unknown>;
  const getter = Object.defineProperty({}, 'g', { enumerable: true, get: () => { throw new Error('getter ran'); } });
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { k: 'v', constructor: 'c' });
  const trap = new Proxy({}, { getOwnPropertyDescriptor: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } });
  const withFunctions = { f: () => 'called', process, globalThis, Function, proto: Object.prototype };
  const list = Object.assign(['a', 'b'], { extra: 'e' });
  const data = { fromJson, getter, nullProto, trap, withFunctions, list, s: 'string', n: 0, u: undefined, key: '__proto__' };
  const base = {
    client: { client_id: 'c', scopes: ['a'], audiences: [], token_endpoint_auth_method: 'none', attributes: { ...data, 'x-y': 'abc' } },
    request: { grant_type: 'g', client_id: 'c', scope: [], resource: [], audience: [], params: { ...data, exec: 'true', key: 'constructor' }, ip: '::1' },
    grant: { type: 'g', scope: ['a', 'b'], audience: [null] },
    assertion: { issuer: 'i', claims: fromJson },
    state: { ...data, user: nullProto, item: trap },
    claims: { ...data, list: [1, 2, 3] },
  };
  return [
    base as unknown as Flow,
    { ...base, state: trap, claims: getter, assertion: undefined } as unknown as Flow,
    { ...base, client: nullProto, request: fromJson, grant: withFunctions } as unknown as Flow,
  ];
}

/** Every value the flows hold as own data: what an evaluation may give back. */
function reachable(flows: readonly Flow[]): Set<unknown> {
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    let keys: string[] = [];
    try {
      keys = Object.keys(value);
    } catch {
      return;
    }
    for (const key of keys) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) walk(descriptor.value);
    }
  };
  for (const flow of flows) walk(flow);
  return seen;
}

const FLOWS = hostileFlows();
const DATA = reachable(FLOWS);

/**
 * `request` is read through a view made per read (engine/expression/compile.ts: scope is the
 * granted scope): a fresh plain object whose values are the flow's own data.
 */
function isRequestView(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((v) => v === null || v === undefined || typeof v !== 'object' || DATA.has(v));
}

/** `items` is read as a list made per read (engine/expression/compile.ts) holding the flow's own state. */
function isItemsView(value: unknown): boolean {
  return Array.isArray(value) && Object.keys(value).length === value.length && value.every((v) => DATA.has(v));
}

function judge(source: string, seed: number): 'compiled' | 'refused' {
  let compiled: ((flow: Flow) => unknown) | undefined;
  try {
    compiled = compileExpression(source, () => 1);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`seed ${seed}: ${JSON.stringify(source)} threw ${String(error)}`);
    expect(typeof error.offset, `seed ${seed}: ${JSON.stringify(source)}`).toBe('number');
    return 'refused';
  }
  for (const flow of FLOWS) {
    let result: unknown;
    expect(() => (result = compiled(flow)), `seed ${seed}: ${JSON.stringify(source)}`).not.toThrow();
    const ok = result === null || (typeof result !== 'object' && typeof result !== 'function') || DATA.has(result) || isRequestView(result) || isItemsView(result);
    if (!ok || typeof result === 'function' || result === Object.prototype || result === process || result === globalThis) {
      throw new Error(`seed ${seed}: ${JSON.stringify(source)} escaped with ${String(result)}`);
    }
  }
  return 'compiled';
}

describe('expression fuzz', () => {
  it('token soups: compile or ConfigError; evaluation stays in the data', () => {
    const counts = { compiled: 0, refused: 0 };
    for (let seed = 1; seed <= 4000; seed++) counts[judge(soup(random(seed)), seed)] += 1;
    // Not all refused: the soups reach the evaluator too.
    expect(counts.compiled).toBeGreaterThan(50);
  });

  it('mutations of valid expressions: compile or ConfigError; evaluation stays in the data', () => {
    const counts = { compiled: 0, refused: 0 };
    for (let seed = 1; seed <= 4000; seed++) {
      const next = random(seed);
      counts[judge(mutate(VALID[seed % VALID.length]!, next), seed)] += 1;
    }
    expect(counts.compiled).toBeGreaterThan(200);
  });

  it('the valid expressions themselves compile and evaluate on hostile flows', () => {
    for (const [i, source] of VALID.entries()) expect(judge(source, -i)).toBe('compiled');
  });

  it('templates: any text parses or throws ConfigError', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const next = random(seed);
      const text = (next() < 0.5 ? 'lit ${' : '${') + soup(next) + (next() < 0.7 ? '}' : '') + (next() < 0.3 ? ' $${x} ' + soup(next) : '');
      try {
        parseTemplate(text);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw new Error(`seed ${seed}: ${JSON.stringify(text)} threw ${String(error)}`);
      }
    }
  });
});
