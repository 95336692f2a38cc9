import { describe, expect, it } from 'vitest';
import { merged } from '../../engine/merge.js';

describe('merged (object spread without a map per object)', () => {
  it('extends the target in place with the source, later keys winning, as { ...a, ...b }', () => {
    const target: Record<string, unknown> = { iss: 'https://as', sub: 'c1' };
    const result = merged(target, { sub: 'svc', scope: 'read' });
    expect(result).toBe(target);
    expect(result).toEqual({ ...{ iss: 'https://as', sub: 'c1' }, ...{ sub: 'svc', scope: 'read' } });
    expect(Object.keys(result)).toEqual(['iss', 'sub', 'scope']);
  });

  it('keeps an own __proto__ key as a key (JSON.parse makes them), never as the prototype', () => {
    const source = JSON.parse('{"__proto__": {"admin": true}, "scope": "read"}') as object;
    const result = merged({ sub: 'c1' } as Record<string, unknown>, source);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.keys(result)).toEqual(['sub', '__proto__', 'scope']);
    expect(JSON.stringify(result)).toBe('{"sub":"c1","__proto__":{"admin":true},"scope":"read"}');
  });

  it('leaves the target as it is for no source', () => {
    const target = { a: 1 };
    expect(merged(target, undefined)).toBe(target);
  });
});
