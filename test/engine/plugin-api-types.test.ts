/**
 * defineValve types a valve's config from its configSchema literal (engine/config-types.ts),
 * or from the type the author passes. These are compile-time assertions: `npm test` runs
 * tsc over test/ first, so a wrong inference fails the suite; the runtime part only shows
 * that defineValve hands the definition back unchanged.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineValve, type ConfigOf } from '../../engine/index.js';

const TENANT_SCHEMA = {
  type: 'object',
  properties: {
    tenant: { type: 'string' },
    weight: { type: 'integer', default: 3 },
    mode: { enum: ['strict', 'lenient'] },
    tags: { type: 'array', items: { type: 'string' } },
    nested: { type: 'object', properties: { on: { type: 'boolean' } }, required: ['on'] },
    ttl: { type: ['number', 'string'] },
    either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['tenant'],
} as const;

describe('defineValve config types', () => {
  it('reads an `as const` schema: required and defaulted keys present, others optional, all readonly', () => {
    expectTypeOf<ConfigOf<typeof TENANT_SCHEMA>>().toEqualTypeOf<{
      readonly tenant: string;
      readonly weight: number;
      readonly mode?: 'strict' | 'lenient';
      readonly tags?: readonly string[];
      readonly nested?: { readonly on: boolean };
      readonly ttl?: number | string;
      readonly either?: string | null;
    }>();
  });

  it('types create(), check() and writes() from an inline schema, without `as const`', () => {
    const valve = defineValve({
      name: 'TenantClaims',
      configSchema: { type: 'object', properties: { tenant: { type: 'string' }, dest: { type: 'string', default: 'x' } }, required: ['tenant'] },
      writes: (config) => [config.dest],
      check(config) {
        expectTypeOf(config.tenant).toEqualTypeOf<string>();
        return [];
      },
      create(config) {
        expectTypeOf(config).toEqualTypeOf<{ readonly tenant: string; readonly dest: string }>();
        // @ts-expect-error a key the schema does not have
        void config.tenat;
        return async function tenantClaims(flow, next) {
          flow.claims.tenant = config.tenant;
          await next();
        };
      },
    });
    expect(valve.name).toBe('TenantClaims');
  });

  it('takes the config type the author passes instead (as the built-ins do)', () => {
    interface Config { limit: number }
    const valve = defineValve<Config>({
      name: 'Explicit',
      configSchema: { type: 'object', properties: { limit: { type: 'number' } } },
      create(config) {
        expectTypeOf(config).toEqualTypeOf<Config>();
        return async (_flow, next) => next();
      },
    });
    expect(typeof valve.create).toBe('function');
  });

  it('a schema TypeScript cannot read (not a literal) gives a plain record', () => {
    const schema: Record<string, unknown> = { type: 'object' };
    defineValve({
      name: 'Wide',
      configSchema: schema,
      create(config) {
        expectTypeOf(config).toEqualTypeOf<Readonly<Record<string, unknown>>>();
        return async (_flow, next) => next();
      },
    });
  });
});
