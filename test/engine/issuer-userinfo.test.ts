/**
 * An issuer with userinfo (issue 9 follow-up, L6): the issuer is published in discovery and
 * in every token, so `http://user:pw@host` would publish the password. check refuses it at
 * the issuer's value; the published schema agrees.
 */
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BASIC_CONFIG, BASIC_ENV, load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

describe('issuer userinfo', () => {
  it.each(['http://user:pw@127.0.0.1:8087/p', 'https://user@auth.example.com'])('refuses %s at its value', async (issuer) => {
    const yaml = BASIC_CONFIG.replace(/^issuer: .*$/m, `issuer: ${issuer}`);
    expect(yaml).toContain(issuer);
    const { engine, diagnostics } = await load(yaml, { env: BASIC_ENV });
    expect(engine).toBeUndefined();
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([expect.objectContaining({ code: 'schema', ...positionOf(yaml, issuer) })]);
  });

  it('the published schema refuses it too', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/sluice.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    validate({ issuer: 'http://user:pw@127.0.0.1:8087/p' });
    expect((validate.errors ?? []).filter((e) => e.instancePath === '/issuer')).not.toEqual([]);
  });
});
