/**
 * importFortifiedId() on files: the mapping decisions the CLI tests do not cover — the
 * issuer from discovery_meta, keystores Sluice cannot read, class-name valves, pipes that
 * call a pipe left out, duplicate ids, RP keys with and without advice.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importFortifiedId } from '../../../engine/import/fortifiedid/index.js';
import { positionOf } from '../../helpers/positions.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-import-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN_PIPE = { id: 'token', valves: [{ name: 'CreateJwt', config: { keystore: 'oidc' } }, { name: 'TokenResponse' }] };
const RP = { client_id: 'svc', client_secret: '${env.SVC_SECRET}', client_credentials_pipe_id: 'token' };

/** Import one file holding `value` (2-space JSON): the config written, and the diagnostics as `LINE:COL severity message`. */
function importOne(value: unknown, options: { tenant?: string } = {}) {
  const text = JSON.stringify(value, null, 2);
  const file = join(dir, `input-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, text);
  const result = importFortifiedId([file], options);
  const where = (needle: string, n = 1) => {
    const { line, col } = positionOf(text, needle, n);
    return `${line}:${col}`;
  };
  return {
    config: result.yaml === undefined ? undefined : (parse(result.yaml) as Record<string, unknown>),
    messages: result.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.message}`),
    where,
  };
}

describe('importFortifiedId: the OIDC module', () => {
  it("discovery_meta's issuer becomes issuer; the endpoints Sluice computes are dropped, each reported", () => {
    const { config, messages, where } = importOne({
      discovery_meta: { issuer: 'https://idp.example.com/oidc/t1', token_endpoint: 'https://idp.example.com/oidc/t1/token', scopes_supported: ['api'] },
      rps: [RP],
      pipes: [TOKEN_PIPE],
    });
    expect(config).toMatchObject({ issuer: 'https://idp.example.com/oidc/t1', oidc: { discovery_meta: { scopes_supported: ['api'] } } });
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^${where('"issuer"')} warning the issuer is written as issuer:`)),
      expect.stringMatching(new RegExp(`^${where('"token_endpoint"')} warning discovery_meta 'token_endpoint' is not carried over`)),
    ]);
  });

  it("FortifiedID's own endpoints in discovery_meta (introspection, userinfo, authorization) are not carried over, each reported", () => {
    // Attack (issue 13 review): carried over, they made Sluice's discovery send resource
    // servers' credentials and tokens to the old FortifiedID host.
    const endpoints = ['introspection_endpoint', 'revocation_endpoint', 'userinfo_endpoint', 'authorization_endpoint', 'end_session_endpoint'];
    const meta = Object.fromEntries(endpoints.map((k) => [k, `https://old-idp.example.com/${k}`]));
    const { config, messages, where } = importOne({ discovery_meta: { ...meta, scopes_supported: ['api'] }, rps: [RP], pipes: [TOKEN_PIPE] });
    expect((config?.oidc as { discovery_meta: unknown }).discovery_meta).toEqual({ scopes_supported: ['api'] });
    for (const key of endpoints) {
      expect(messages).toContainEqual(expect.stringMatching(new RegExp(`^${where(`"${key}"`)} warning discovery_meta '${key}' is not carried over`)));
    }
  });

  it("a value that would read Sluice's environment or a file at load (${env.…}, ${file.…}) is reported where it is written", () => {
    // Attack (issue 13 review): FortifiedID has no env or file scope, so such text in its
    // config read nothing there; carried over silently, it published the operator's
    // environment in discovery or in every token.
    const pipe = { id: 'token', config: { valves: [{ name: 'CreateJwt', config: { keystore: 'oidc', jwt_claims: { note: 'key=${env.REDIS_PASSWORD}', n: '@int:${file./etc/hostname}', ok: '${request.client_id}', escaped: '$${env.HOME}' } } }, { name: 'TokenResponse' }] } };
    const { config, messages, where } = importOne({ discovery_meta: { service_documentation: '${env.AWS_SECRET_ACCESS_KEY}' }, rps: [RP], pipes: [pipe] });
    expect(config).toBeDefined();
    const reads = messages.filter((m) => /at load/.test(m));
    expect(reads).toEqual([
      expect.stringMatching(new RegExp(`^${where('"${env.AWS')} warning .*env`)),
      expect.stringMatching(new RegExp(`^${where('"key=')} warning .*env`)),
      expect.stringMatching(new RegExp(`^${where('"@int:')} warning .*file`)),
    ]);
    // The RP's client_secret: \${env.SVC_SECRET} is the spelling the import recommends: not reported.
    expect(messages.filter((m) => m.startsWith(where('"${env.SVC_SECRET}"')))).toEqual([]);
  });

  it('a keystore Sluice cannot read (JKS, a bare reference) is reported and left out; the RP still comes over', () => {
    for (const keystore of [{ path: 'ks.jks', password: '${env.P}', type: 'JKS' }, 'corporate-keystore']) {
      const { config, messages, where } = importOne({ keystore, rps: [RP], pipes: [TOKEN_PIPE] });
      expect(config?.keystores).toBeUndefined();
      expect(config?.rps).toEqual([RP]);
      const at = typeof keystore === 'string' ? where('"corporate-keystore"') : where('"JKS"');
      expect(messages.filter((m) => m.startsWith(at))).toEqual([expect.stringMatching(/warning keystore .*not carried over/)]);
    }
  });

  it('RP keys: a FortifiedID key gets the advice check gives; an unknown key is named; a secret from ${env} is not warned about', () => {
    const { config, messages, where } = importOne({ rps: [{ ...RP, userinfo_pipe_id: 'ui', colour: 'blue' }], pipes: [TOKEN_PIPE] });
    expect(config?.rps).toEqual([RP]);
    const rpMessages = messages.filter((m) => !m.includes('issuer'));
    expect(rpMessages).toEqual([
      expect.stringMatching(new RegExp(`^${where('"userinfo_pipe_id"')} warning RP 'svc': 'userinfo_pipe_id' is not carried over: /userinfo answers`)),
      expect.stringMatching(new RegExp(`^${where('"colour"')} warning RP 'svc': 'colour' is not carried over: Sluice has no equivalent`)),
    ]);
  });
});

describe('importFortifiedId: pipes', () => {
  it("a class name as valve name gets check's advice; a pipe calling a pipe left out is left out too, and so is its RP", () => {
    const { config, messages, where } = importOne({
      rps: [{ ...RP, client_credentials_pipe_id: 'outer' }, RP],
      pipes: [
        { id: 'ldap', config: { valves: [{ name: 'com.fortifiedid.pipes.valves.ldap.LdapSearchValve' }] } },
        { id: 'outer', config: { valves: [{ name: 'PipeCall', config: { pipe: 'ldap' } }] } },
        TOKEN_PIPE,
        { ...TOKEN_PIPE, valves: [] },
      ],
    });
    expect((config?.pipes as Array<{ id: string }>).map((p) => p.id)).toEqual(['token']);
    expect(config?.rps).toEqual([RP]);
    const relevant = messages.filter((m) => !m.includes('issuer'));
    expect(relevant).toEqual([
      expect.stringMatching(new RegExp(`^${where('"outer"', 1)} warning RP 'svc': its pipe 'outer' was not carried over`)),
      expect.stringMatching(new RegExp(`^${where('"com.fortifiedid')} warning '.*LdapSearchValve' is a class name: .*pipe 'ldap' is not carried over`)),
      expect.stringMatching(new RegExp(`^${where('"ldap"', 2)} warning calls pipe 'ldap', which is not carried over: pipe 'outer' is not carried over`)),
      expect.stringMatching(new RegExp(`^${where('"token"', 3)} warning pipe id 'token' was already read at .*: this one is not carried over`)),
    ]);
  });
});

describe('importFortifiedId: hostile files', () => {
  it('valid JSON that YAML reading refuses (a duplicate key, __proto__): an error at its place, nothing written', () => {
    for (const [text, needle] of [['{"rps": [], "rps": []}', '"rps"'], ['{"pipes": [], "__proto__": {"x": 1}}', '"__proto__"']] as const) {
      const file = join(dir, 'hostile.json');
      writeFileSync(file, text);
      const result = importFortifiedId([file]);
      expect(result.yaml).toBeUndefined();
      expect(result.diagnostics).toHaveLength(1);
      expect(result.diagnostics[0]).toMatchObject({ severity: 'error', line: 1 });
      const occurrence = needle === '"rps"' ? 2 : 1;
      expect(result.diagnostics[0]!.col).toBe(positionOf(text, needle, occurrence).col);
    }
  });

  it('a client_id with a newline cannot break out of the header comment into the YAML', () => {
    const rp = { client_id: 'svc\nissuer: https://evil.example.com', client_secret: 'in-clear-0123456789', client_credentials_pipe_id: 'token' };
    const { config, messages } = importOne({ rps: [rp], pipes: [TOKEN_PIPE] });
    expect(messages.some((m) => m.includes('svc\nissuer'))).toBe(true);
    expect(config).toMatchObject({ issuer: '${env.SLUICE_ISSUER}', rps: [rp] });
  });
});
