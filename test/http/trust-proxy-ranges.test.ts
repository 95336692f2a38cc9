/**
 * trust_proxy after the attack review (issue 9 follow-up, M5): ranges that trust the
 * internet are refused at the item's line, and check accepts exactly what serve compiles
 * (a /0 passed check, then crashed serve with "invalid range on address"). The published
 * schema says what check accepts: false, a string, or a list of strings.
 */
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

const withProxy = (trust: string) => BASIC_CONFIG.replace('keystores:', `server:\n  trust_proxy: ${trust}\nkeystores:`);

describe('trust_proxy: ranges that trust the internet', () => {
  it.each([
    ['[0.0.0.0/1, 128.0.0.0/1]', '0.0.0.0/1'],
    ['[10.0.0.1, 0.0.0.0/0]', '0.0.0.0/0'],
    ['["::/0"]', '"::/0"'],
    ['[10.0.0.0/8, "2000::/3"]', '"2000::/3"'],
    ['["::ffff:0.0.0.0/96"]', '"::ffff:0.0.0.0/96"'],
    ['[0.0.0.0/7]', '0.0.0.0/7'],
  ])('refuses %s at the item', async (trust, item) => {
    const yaml = withProxy(trust);
    const { engine, diagnostics } = await load(yaml, { env: BASIC_ENV });
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error')[0]).toEqual(expect.objectContaining({ code: 'schema', ...positionOf(yaml, item) }));
  });

  it('reports each too-broad item once, at its own column', async () => {
    const yaml = withProxy('[0.0.0.0/1, 128.0.0.0/1]');
    const { diagnostics } = await load(yaml, { env: BASIC_ENV });
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line, d.col])).toEqual(
      ['0.0.0.0/1', '128.0.0.0/1'].map((item) => ['schema', positionOf(yaml, item).line, positionOf(yaml, item).col]));
  });

  it.each(['[10.0.0.0/8]', '["2001:db8::/32"]', '["::ffff:10.0.0.0/104"]', '[127.0.0.1, uniquelocal]'])('accepts %s', async (trust) => {
    const { engine, diagnostics } = await load(withProxy(trust), { env: BASIC_ENV });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(engine).toBeDefined();
  });
});

describe('trust_proxy in the published schema', () => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/sluice.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  const config = (trust_proxy: unknown) => ({ issuer: 'https://auth.example.com', server: { trust_proxy }, keystores: [], rps: [], pipes: [] });
  const trustProxyErrors = (trust_proxy: unknown) => {
    validate(config(trust_proxy));
    return (validate.errors ?? []).filter((e) => e.instancePath.startsWith('/server/trust_proxy'));
  };

  it.each([[false], ['10.0.0.0/8'], [['10.0.0.0/8']], ['${env.TRUST}']])('accepts %j', (value) => {
    expect(trustProxyErrors(value)).toEqual([]);
  });

  it.each([[true], [2], [[1]]])('refuses %j, as check does', (value) => {
    expect(trustProxyErrors(value)).not.toEqual([]);
  });
});
