/** jti (RFC 7519 section 4.1.7) comes from a CSPRNG pool: 128 bits each, never handed out twice. */
import { describe, expect, it } from 'vitest';
import { JTI_BYTES, newJti } from '../../../engine/tokens/jti.js';

describe('newJti', () => {
  it('gives 128-bit base64url ids', () => {
    expect(JTI_BYTES).toBe(16);
    for (let i = 0; i < 300; i++) {
      const jti = newJti();
      expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(jti, 'base64url')).toHaveLength(16);
    }
  });

  it('never repeats one, across many pool refills', () => {
    const count = 50_000; // about 200 pools of 256 ids
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) seen.add(newJti());
    expect(seen.size).toBe(count);
  });

  it('does not repeat a pool: the bytes of consecutive pools differ', () => {
    // 256 ids fill one pool; the next 256 must come from fresh bytes, not the same buffer again.
    const first = Array.from({ length: 256 }, newJti).join('');
    const second = Array.from({ length: 256 }, newJti).join('');
    expect(first).not.toBe(second);
    expect(new Set([...first.match(/.{22}/g)!, ...second.match(/.{22}/g)!]).size).toBe(512);
  });
});
