/**
 * Two keystores with one kid (issue 9, item 8): jose refuses a JWKS lookup that matches two
 * keys (ERR_JWKS_MULTIPLE_MATCHING_KEYS), so every token would fail to verify. A check error
 * at the second keystore.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';
import { FIXTURES } from './helpers.js';
import { keystoresConfig } from './keystores-config.js';

const files = {
  'keys/ec.pem': readFileSync(join(FIXTURES, 'ec-p256.pem')),
  'keys/rsa.pem': readFileSync(join(FIXTURES, 'rsa.pem')),
};

const config = (keystores: string) => keystoresConfig(keystores);

async function check(keystores: string) {
  const yaml = config(keystores);
  const { engine, diagnostics } = await load(yaml, { env: { SVC_SECRET: 'svc-secret-0123456789' }, files });
  return { yaml, engine, errors: diagnostics.filter((d) => d.severity === 'error') };
}

describe('duplicate kids', () => {
  it('the same key file loaded twice: an error at the second path', async () => {
    const { yaml, engine, errors } = await check(`
- { id: a, type: pem, path: keys/ec.pem }
- { id: b, type: pem, path: keys/ec.pem }`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'duplicate_id', ...positionOf(yaml, 'keys/ec.pem', 2) })]);
    expect(errors[0]!.message).toMatch(/'a'/);
  });

  it('two keys given the same kid: an error at the second kid', async () => {
    const { yaml, engine, errors } = await check(`
- { id: a, type: pem, path: keys/ec.pem, kid: k1 }
- { id: b, type: pem, path: keys/rsa.pem, kid: k1 }`);
    expect(engine).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ code: 'duplicate_id', ...positionOf(yaml, 'k1', 2) })]);
  });

  it('also when one of them is not published: its tokens would name the published key', async () => {
    const { yaml, errors } = await check(`
- { id: a, type: pem, path: keys/ec.pem, kid: k1 }
- { id: b, type: pem, path: keys/rsa.pem, kid: k1, publish: false }`);
    expect(errors).toEqual([expect.objectContaining({ code: 'duplicate_id', ...positionOf(yaml, 'k1', 2) })]);
  });

  it('the same key under two distinct kids is fine (a rename during rotation)', async () => {
    const { engine, errors } = await check(`
- { id: a, type: pem, path: keys/ec.pem, kid: old }
- { id: b, type: pem, path: keys/ec.pem, kid: new }`);
    expect(errors).toEqual([]);
    expect(engine).toBeDefined();
  });

  it('a keystore that failed to load is not also reported as a duplicate', async () => {
    // A keystore that fails to load stands in with its id as kid: 'b' here, as a's kid.
    const { errors } = await check(`
- { id: a, type: pem, path: keys/ec.pem, kid: b }
- { id: b, type: pem, path: keys/missing.pem }`);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).not.toBe('duplicate_id');
  });
});
