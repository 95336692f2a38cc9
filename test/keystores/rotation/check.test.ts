/**
 * What check says about rotation groups (keystores sharing an id): errors and warnings at
 * the entry to fix, by code.
 */
import { describe, expect, it } from 'vitest';
import { positionOf } from '../../helpers/positions.js';
import { load } from '../../helpers/sluice.js';
import { keyDir } from './harness.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keystoresConfig } from '../keystores-config.js';

const dir = keyDir();
const files = Object.fromEntries(['a', 'b', 'c'].map((k) => [`${k}.pem`, readFileSync(join(dir, `${k}.pem`))]));

const config = (keystores: string) => keystoresConfig(keystores, { authenticate: true, createJwt: '{ keystore: signing }' });

async function check(keystores: string) {
  const yaml = config(keystores);
  const { engine, diagnostics } = await load(yaml, { env: { SVC_SECRET: 'svc-secret-0123456789' }, files });
  return { yaml, engine, diagnostics };
}

describe('check of rotation groups', () => {
  it('next, current and previous keys under one id load as one keystore', async () => {
    const { engine, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a, state: previous }
- { id: signing, type: pem, path: b.pem, kid: b }
- { id: signing, type: pem, path: c.pem, kid: c, state: next }`);
    expect(diagnostics).toEqual([]);
    expect([...engine!.keystores.keys()]).toEqual(['signing']);
  });

  it('no current key: an error at the first entry\'s state', async () => {
    const { yaml, engine, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a, state: previous }
- { id: signing, type: pem, path: b.pem, kid: b, state: next }`);
    expect(engine).toBeUndefined();
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'key_rotation', ...positionOf(yaml, 'previous') })]);
  });

  it('two current keys: an error at the second, at its state when it says one', async () => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a, state: current }
- { id: signing, type: pem, path: b.pem, kid: b, state: current }`);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'key_rotation', ...positionOf(yaml, 'current', 2) })]);
  });

  it('two entries with one id and no state: a duplicate id, at the second id', async () => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a }
- { id: signing, type: pem, path: b.pem, kid: b }`);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'duplicate_id', ...positionOf(yaml, 'signing', 2) })]);
  });

  it('an unknown state: a schema error', async () => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, state: retired }`);
    expect(diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'schema', ...positionOf(yaml, 'retired') }));
  });

  it('retire_at on a key that is not previous: an error at the key', async () => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a }
- { id: signing, type: pem, path: b.pem, kid: b, state: next, retire_at: '2030-01-01T00:00:00Z' }`);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'key_rotation', ...positionOf(yaml, 'retire_at') })]);
  });

  it.each(['2030-01-01', '2030-01-01T00:00:00', 'tomorrow', '2030-13-01T00:00:00Z'])('retire_at %s (no zone, not RFC 3339): an error at the value', async (value) => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a }
- { id: signing, type: pem, path: b.pem, kid: b, state: previous, retire_at: '${value}' }`);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'key_rotation', ...positionOf(yaml, `'${value}'`) })]);
  });

  it('a previous key past its retire_at: a warning that it can be removed', async () => {
    const { yaml, engine, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a }
- { id: signing, type: pem, path: b.pem, kid: b, state: previous, retire_at: '2020-01-01T00:00:00Z' }`);
    expect(engine).toBeDefined();
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'key_rotation', ...positionOf(yaml, '{ id: signing', 2) })]);
    expect(engine!.jwks.keys.map((k) => k.kid)).toEqual(['a']);
  });

  it('a next key that is not published: an error at publish', async () => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a }
- { id: signing, type: pem, path: b.pem, kid: b, state: next, publish: false }`);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'key_rotation', ...positionOf(yaml, 'false') })]);
  });

  it('one key twice in a group: a duplicate kid', async () => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem }
- { id: signing, type: pem, path: a.pem, state: next }`);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'duplicate_id', ...positionOf(yaml, 'a.pem', 2) })]);
  });

  it('a key of the group that fails to load: told once, at it', async () => {
    const { yaml, diagnostics } = await check(`
- { id: signing, type: pem, path: a.pem, kid: a }
- { id: signing, type: pem, path: missing.pem, kid: b, state: next }`);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', ...positionOf(yaml, 'missing.pem') })]);
  });
});
