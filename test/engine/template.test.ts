import { describe, expect, it } from 'vitest';
import { checkRequestTemplate, compileValue, escapeTemplate, formatTemplate, parseTemplate, type TemplatePart } from '../../engine/template.js';
import type { Flow } from '../../engine/flow.js';
import { ConfigError } from '../../engine/errors.js';

const flow = {
  client: { client_id: 'svc', scopes: ['s0', 's1'], attributes: { roles: ['a', 'b'], n: 3, nested: { k: 'v' }, 'x-y': 'dash', 'a:b': 'colon' } },
  request: { scope: ['x', 'y'], client_id: 'svc', params: { 'a}b': 'brace', region: 'eu' } },
  grant: { scope: ['x'], audience: [] },
  state: { access_token: 'tok' },
  claims: { tenant: 't1' },
} as unknown as Flow;

describe('templates', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['a whole expression keeps its type (list)', '${client.attributes.roles}', ['a', 'b']],
    ['a whole expression keeps its type (number)', '${client.attributes.n}', 3],
    ['a whole expression keeps its type (object)', '${client.attributes.nested}', { k: 'v' }],
    ['inside text, lists join with spaces', 'roles: ${client.attributes.roles}', 'roles: a b'],
    ['inside text, objects become JSON', 'n=${client.attributes.nested}', 'n={"k":"v"}'],
    ['FortifiedID names: request.client_id and item.*', '${request.client_id}/${item.access_token}', 'svc/tok'],
    ['state and claims', '${state.access_token}.${claims.tenant}', 'tok.t1'],
    ['a missing value is undefined when whole', '${client.attributes.nope}', undefined],
    ['a missing value is empty inside text', '[${client.attributes.nope}]', '[]'],
    ['$${ is a literal', 'cost: $${x}', 'cost: ${x}'],
    ['$$ before { is one literal $', '$$$${x} $$$$', '$${x} $$$$'],
    ['an odd $ left over opens an expression', 'cost: $$${client.client_id}', 'cost: $svc'],
    ['no prototype is reachable', '${client.constructor}', undefined],
    ['now', '${now}', 1234],
    // Names after a dot as they always were: dashes, colons, digits.
    ['a dash in a name', '${client.attributes.x-y}', 'dash'],
    ['a colon in a name', '${client.attributes.a:b}', 'colon'],
    ['an index as a name', '${client.scopes.1}', 's1'],
    // Bodies are expressions.
    ['index access with a quoted key holding }', "${request.params['a}b']}!", 'brace!'],
    ['|| gives a fallback', "${request.params.zone || 'none'}/${request.params.region || 'none'}", 'none/eu'],
    ['a comparison keeps its type when whole', "${request.params.region === 'eu'}", true],
    ['.length and methods', "${client.scopes.length}:${client.client_id.startsWith('s')}", '2:true'],
  ];
  it.each(cases)('%s', (_name, template, expected) => {
    expect(compileValue(template, () => 1234)(flow)).toEqual(expected);
  });

  it('compiles nested values, omitting keys that resolve to undefined', () => {
    const compiled = compileValue({ a: '${client.client_id}', b: ['${grant.scope}', 'lit'], c: '${client.nope}', d: 1 }, () => 0);
    expect(compiled(flow)).toEqual({ a: 'svc', b: [['x'], 'lit'], d: 1 });
  });

  it('returns constants as they are', () => {
    const value = { a: 1, b: ['x'] };
    expect(compileValue(value, () => 0)(flow)).toEqual(value);
  });

  it.each(['${client', '${}', '${client.a b}', "${request.params['a}", '${client.toUpperCase()}', '${a = b}', '${env.X || client.client_id}'])('rejects malformed %s with a template ConfigError', (text) => {
    expect(() => parseTemplate(text)).toThrow(ConfigError);
  });

  it('encode applies to each expression inside a longer string, never to the literal text', () => {
    const compiled = compileValue("https://x/${request.params['a}b'] || 'a b'}?q=${client.attributes.x-y}&r=a b", () => 0, { encode: (t) => encodeURIComponent(t).toUpperCase() });
    expect(compiled(flow)).toBe('https://x/BRACE?q=DASH&r=a b');
  });
});

describe('formatTemplate spells any parts so that parsing gives them back', () => {
  const expr = parseTemplate('${client.client_id}')[0] as TemplatePart;
  const cases: TemplatePart[][] = [
    ['${request.params.sub}'],
    ['$${x}', '$$', '$'],
    ['a$', expr],
    ['$$', expr, '{x}'],
    [expr, '$', expr, '$'],
    ['$', '{request.params.sub}'],
    ['{', expr, '}'],
    ['a', parseTemplate("${request.params['a}b'] || '$${'}")[0] as TemplatePart, '}'],
  ];
  it.each(cases)('%j', (...parts) => {
    const joined = parts.reduce<TemplatePart[]>((out, p) => {
      const last = out.at(-1);
      if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
      else out.push(p);
      return out;
    }, []);
    expect(parseTemplate(formatTemplate(parts))).toEqual(joined);
  });

  it('escapeTemplate makes any text a literal', () => {
    for (const text of ['${request.params.sub}', '$${x}', 'a$', '$$$${', '}${', '']) {
      expect(compileValue(escapeTemplate(text), () => 0)(flow)).toBe(text);
    }
  });
});

describe('request-time fields', () => {
  it.each([
    '${client.attributes.appid}', '${client.attributes.a.b.c}', '${client.scopes}', '${client.scopes.0}',
    '${request.params.anything}', '${request.ip}', '${grant.audience}', '${state.x.y}', '${item.x}', '${claims.z}', '${now}', '${client}',
  ])('accepts %s', (text) => {
    expect(() => checkRequestTemplate(text)).not.toThrow();
  });

  it.each([
    ['${client.atributes.appid}-eu', /did you mean 'attributes'/],
    ['${request.parms.x}', /did you mean 'params'/],
    ['${grant.scopes}', /did you mean 'scope'/],
    ['${clinet.client_id}', /did you mean 'client'/],
    ['${now.iso}', /takes no path/],
    ['${client.client_id.x}', /takes no path/],
    ['${request.requested_scope.first}', /list/],
    ['${request.scope.first}', /takes no path/],
    ["${request.params.x == 'a' && client.atributes.y}", /did you mean 'attributes'/],
    ["${request.params[client.atributes]}", /did you mean 'attributes'/],
  ])('refuses %s', (text, message) => {
    expect(() => checkRequestTemplate(text)).toThrow(message);
  });
});
