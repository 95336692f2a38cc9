/**
 * The expression language on tables of cases: each operator, precedence, and results equal
 * to JavaScript's for the same source on plain data (real JS evaluation is used here, in the
 * test only, as the oracle).
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../engine/expression/index.js';
import { ConfigError } from '../../../engine/errors.js';
import type { Flow } from '../../../engine/flow.js';

const flow = {
  client: { client_id: 'svc', scopes: ['a', 'b'], audiences: [], token_endpoint_auth_method: 'client_secret_basic', attributes: { tenant: 't1', 'x-y': 'dash', n: 3, zero: 0, empty: '', list: [1, 2, 3], nested: { k: 'v' } } },
  request: { grant_type: 'client_credentials', client_id: 'svc', scope: ['a'], resource: [], audience: [], params: { exec: 'true', x: 'y', 'a}b': 'brace', num: '10' }, ip: '127.0.0.1' },
  grant: { type: 'client_credentials', scope: ['a'], audience: ['https://api'] },
  assertion: { issuer: 'idp', claims: { sub: 'alice' } },
  state: { user: { status: 'complete', pwdLastSet: 0 } },
  claims: { role: 'admin' },
} as unknown as Flow;
const NOW = 1_900_000_000;
const run = (source: string): unknown => compileExpression(source, () => NOW)(flow);

/** The same source evaluated by JavaScript over the same data: the oracle. */
function javascript(source: string): unknown {
  // The test's oracle only: the engine never evaluates source this way.
  const fn = new Function('client', 'request', 'grant', 'assertion', 'state', 'claims', 'item', 'items', 'now', `return (${source});`) as (...a: unknown[]) => unknown;
  return fn(flow.client, flow.request, flow.grant, flow.assertion?.claims, flow.state, flow.claims, flow.state, [flow.state], NOW);
}

describe('results equal JavaScript on plain data', () => {
  const cases = [
    // literals
    "'text'", '"double"', "'esc\\'aped\\n\\t\\u0041\\x41'", '42', '1.5', '2e3', 'true', 'false', 'null', 'undefined',
    // equality: strict and loose between primitives
    "request.params.exec === 'true'", "request.params.exec !== 'true'", "request.params.num == 10", "request.params.num === 10",
    'null == undefined', 'null === undefined', "0 == ''", "'1' != 1", 'true == 1', 'client.attributes.zero == false',
    // relational
    '1 < 2', '2 <= 2', "'b' > 'a'", "request.params.num > 9", "'10' < '9'", 'null >= 0', 'undefined < 1', 'client.attributes.n >= 3',
    // logical: operands, not booleans
    "client.attributes.empty || 'fallback'", "client.attributes.tenant && client.attributes.n", 'client.attributes.zero || null',
    '!client.attributes.zero', '!!client.attributes.tenant', '!state.user.pwdLastSet', '!state.nope',
    // precedence and parentheses
    'true || false && false', '(true || false) && false', '!true == false', '!(1 == 2)', '1 < 2 == true', "1 == 1 && 2 == 2 || 'x'",
    "false && true || 'right'", '1 === 1 === true',
    // member and index access
    'client.attributes.nested.k', "client.attributes['x-y']", 'client.attributes.list[1]', 'client.attributes.list[5]',
    "request.params['a}b']", 'client.scopes[0]', "client['attributes']['tenant']", 'client.attributes.nested.missing',
    // length and methods
    'client.scopes.length', "'abc'.length", 'client.attributes.tenant.length', "client.attributes.tenant.startsWith('t')",
    "client.attributes.tenant.endsWith('1')", "client.attributes.tenant.includes('x')", "client.scopes.includes('b')",
    'client.attributes.list.includes(2)', "client.attributes.list.includes('2')", 'client.attributes.tenant.startsWith(1)',
    "'a1'.endsWith(1)", "'null'.includes(null)",
    // the other namespaces
    "assertion.sub == 'alice'", "claims.role === 'admin'", "grant.audience[0]", "item.user.status == 'complete'", 'now > 0',
    "items[0].user.status == 'complete'", 'items.length', '!items[0].user.pwdLastSet', "items.length > 0 && items[0].user.status === 'complete'",
  ];
  it.each(cases)('%s', (source) => {
    expect(run(source)).toEqual(javascript(source));
  });
});

describe('FortifiedID predicates', () => {
  it("request.exec === 'true' reads a form parameter as request.params.exec", () => {
    expect(run("request.params.exec === 'true'")).toBe(true);
  });

  it("an unknown request field is refused at load, naming request.params (a caller cannot forge FortifiedID's engine-set request.used_auth)", () => {
    expect(() => run("request.exec === 'true'")).toThrow(/did you mean 'request\.params\.exec'/);
    // used_auth is not advised towards request.params: that would be the forgery itself.
    expect(() => run("request.used_auth == ('unpw') || request.used_auth == ('otp')")).toThrow(/no field 'used_auth'(?!.*did you mean)/);
    expect(run("request.params.exec == ('unpw') || request.params.exec == ('true')")).toBe(true);
  });

  // FortifiedID's `items`: a Sluice flow has one item, its valve outputs (state).
  it.each([
    ["items[0].user.status=='complete'", true],
    ['!items[0].user.pwdLastSet', true],
    ['items[0].user.pwdLastSet', 0],
    ['items.length', 1],
    ['items.len', 1],
    ['items.size', 1],
    ["items['len'] > 0 && items[0].user.status == 'complete'", true],
    ["items.len > 0 && items[0].iam_role == ''", false],
  ])('%s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('items is empty until a valve has written an output: the docs\' guards work', () => {
    const fresh = { ...flow, state: {} } as Flow;
    const runFresh = (source: string) => compileExpression(source, () => NOW)(fresh);
    expect(runFresh('items.length')).toBe(0);
    expect(runFresh('items.size > 0')).toBe(false);
    expect(runFresh('!items[0].pwdLastSet')).toBe(true);
    expect(runFresh("items.len > 0 && items[0].iam_role == 'Admin'")).toBe(false);
  });

  it('items reads the same object as item and state', () => {
    expect(run('items[0] === item && item === state')).toBe(true);
  });

  it.each([
    ["items[1].status == 'x'", /one item/],
    ['items.count', /items\[0\]\.X/],
    ['items.first.x', /items\[0\]\.X/],
  ])('%s is refused at load: a flow holds one item', (source, message) => {
    expect(() => run(source)).toThrow(message);
  });

  it('.len and .size are counts on items only', () => {
    expect(() => run('client.scopes.len')).toThrow(ConfigError);
    expect(() => run('request.scope.size')).toThrow(ConfigError);
    expect(run('item.user.len')).toBeUndefined();
  });
});

describe('the sandbox', () => {
  it.each([
    'claims.constructor', 'state.__proto__', "claims['__proto__']", 'client.attributes.toString', "client.attributes.list[0]['constructor']",
    "'abc'.constructor", "client.attributes.tenant['toString']", 'state.hasOwnProperty', 'claims.valueOf', 'client.attributes.list.map',
    'request.params.prototype', "state.user['__defineGetter__']", 'assertion.constructor.constructor',
  ])('%s is undefined', (source) => {
    expect(run(source)).toBeUndefined();
  });

  it.each(['client.constructor', 'request.__proto__', 'client.scopes.map', 'grant.valueOf'])('%s is a load error: not a field', (source) => {
    expect(() => run(source)).toThrow(ConfigError);
  });

  it('a getter is never run, a function never returned', () => {
    let ran = false;
    const hostile = {
      ...flow,
      claims: Object.defineProperties({}, { g: { enumerable: true, get: () => ((ran = true), 'x') }, f: { enumerable: true, value: () => 'called' } }),
    } as unknown as Flow;
    const g = compileExpression('claims.g', () => 0);
    const f = compileExpression('claims.f', () => 0);
    expect(g(hostile)).toBeUndefined();
    expect(f(hostile)).toBeUndefined();
    expect(ran).toBe(false);
  });

  it('an object equals only itself: no conversion runs its methods', () => {
    const hostile = { ...flow, claims: { o: Object.create(null) as object, p: { valueOf: 'x' } } } as unknown as Flow;
    expect(compileExpression("claims.o == 'x'", () => 0)(hostile)).toBe(false);
    expect(compileExpression('claims.o == claims.o', () => 0)(hostile)).toBe(true);
    expect(compileExpression('claims.p < 1', () => 0)(hostile)).toBe(false);
  });

  it('methods on the wrong type are false, never a throw', () => {
    expect(run("client.attributes.n.startsWith('3')")).toBe(false);
    expect(run("state.nope.includes('x')")).toBe(false);
    expect(run("client.attributes.tenant.startsWith(client.attributes.nested)")).toBe(false);
  });
});

describe('load errors', () => {
  const refused: Array<[string, RegExp, number]> = [
    ["request.params.x.toUpperCase()", /unknown function 'toUpperCase'/, 17],
    ["process.exit(1)", /unknown function 'exit'/, 8],
    ["eval('1')", /unknown function 'eval'/, 0],
    ["(client.client_id)('x')", /only the methods/, 18],
    ["client.client_id.startsWith('a', 1)", /one argument/, 17],
    ["client.atributes.x == 'y'", /did you mean 'attributes'/, 0],
    ["request.parms.x", /did you mean 'params'/, 0],
    ["1 == 1 && globals.x", /unknown namespace 'globals'/, 10],
    ["request.params.x = 'y'", /unexpected character '='/, 17],
    ["request.params.x == ", /unexpected end of expression/, 20],
    ["(true", /expected '\)'/, 5],
    ["'open", /unterminated string/, 0],
    ['${request.params.x}', /not \$\{request/, 0],
    ['', /empty expression/, 0],
    ['a b', /unexpected 'b'/, 2],
    ['request.', /expected a name after '\.'/, 8],
    ['!'.repeat(40) + 'true', /nests deeper/, 32],
    ['('.repeat(40) + 'true' + ')'.repeat(40), /nests deeper/, 32],
    ["'x'".padEnd(3000, ' '), /longer than/, 0],
  ];
  it.each(refused)('%s', (source, message, offset) => {
    let thrown: unknown;
    try {
      run(source);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).code).toBe('expression');
    expect((thrown as ConfigError).message).toMatch(message);
    expect((thrown as ConfigError).offset).toBe(offset);
  });

  it('.length of a list or a value is a known field', () => {
    expect(run('request.scope.length')).toBe(1);
    expect(run('request.client_id.length')).toBe(3);
  });
});
