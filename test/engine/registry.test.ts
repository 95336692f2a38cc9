/**
 * The valve registry compiles a built-in valve's config schema only when a pipe first
 * uses the valve (start-up, issue 14); a plugin's at once, so a bad one is reported at
 * load (test/cli/plugin.test.ts). So every built-in schema must compile: this proves it,
 * and that a compiled validator checks configs as the schema says.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../engine/load.js';

describe('the valve registry', () => {
  it('compiles the config schema of every built-in valve', () => {
    const registry = createRegistry();
    expect(registry.all().length).toBeGreaterThan(10);
    for (const valve of registry.all()) expect(() => valve.validate, valve.definition.name).not.toThrow();
  });

  it('compiles a schema once and validates with it', () => {
    const valve = createRegistry().get('ScopeCheck')!;
    expect(valve.validate).toBe(valve.validate);
    expect(valve.validate({ no_such_option: true })).toBe(false);
    expect(valve.validate.errors?.[0]?.keyword).toBe('additionalProperties');
  });
});
