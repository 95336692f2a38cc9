/**
 * The `store` section as check sees it (the load phases, in process; serve-wait.test.ts
 * runs `sluice check` itself with Redis down): every form ioredis supports is accepted
 * without connecting, and each mistake is one error at its YAML node. Messages never
 * echo the URL, which may hold a password.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../engine/diagnostics.js';
import { load } from '../../helpers/sluice.js';

const ENV = { ORDERS_SECRET: 'orders-secret-0123456789' };

interface Expected {
  line: number;
  col: number;
  code: string;
  message?: RegExp;
}

/** A valid config whose line 1 is `store:` and whose store fields start on line 2. */
function withStore(fields: string): string {
  return `store:
${fields.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n')}
keystores:
  - id: signing
    type: generated
    alg: ES256
rps:
  - client_id: orders
    client_secret: \${env.ORDERS_SECRET}
    client_credentials_pipe_id: m2m
pipes:
  - id: m2m
    valves:
      - name: ClientAuthenticate
      - name: CreateJwt
        config: { keystore: signing }
      - name: TokenResponse
`;
}

async function errorsOf(fields: string) {
  const { diagnostics, engine } = await load(withStore(fields), { env: ENV });
  await engine?.verifyContext.store.close?.();
  return { errors: diagnostics.filter((d) => d.severity === 'error'), text: diagnostics.map(formatDiagnostic).join('\n'), engine };
}

describe.concurrent('store config: accepted without Redis running', () => {
  const forms: Array<[string, string]> = [
    ['memory (the default when store is absent)', 'type: memory'],
    ['memory with a capacity', 'type: memory\ncapacity: 50000'],
    ['one node', 'type: redis\nurl: redis://127.0.0.1:1\nprefix: "billing:"'],
    ['one node, TLS, user, password and db', 'type: redis\nurl: rediss://sluice:s3cret@redis.internal:6380/2'],
    ['Sentinel', 'type: redis\nsentinels: [{ host: 10.0.0.1, port: 26379 }, { host: 10.0.0.2, port: 26379 }]\nname: mymaster\npassword: pw'],
    ['Cluster', 'type: redis\ncluster: [{ host: 10.0.0.1, port: 7000 }]\nusername: sluice\npassword: pw\nstart_timeout: 5'],
  ];
  for (const [title, fields] of forms) {
    it(title, async () => {
      const { errors, text, engine } = await errorsOf(fields);
      expect(errors, text).toEqual([]);
      expect(engine).toBeDefined();
    });
  }
});

describe.concurrent('store config: one error at the node that is wrong', () => {
  const cases: Array<[string, string, Expected[]]> = [
    ['an unknown type (and nothing else)', 'type: redsi\nurl: redis://127.0.0.1', [{ line: 2, col: 9, code: 'schema' }]],
    ['a URL that is not redis:// or rediss://', 'type: redis\nurl: http://127.0.0.1:6379', [{ line: 3, col: 8, code: 'schema', message: /redis:\/\// }]],
    ['a URL whose path is not a database number', 'type: redis\nurl: redis://u:hunter2@127.0.0.1:6379/cache', [{ line: 3, col: 8, code: 'schema', message: /database number/ }]],
    ['a prefix with braces (a Cluster hash tag for every key)', 'type: redis\nurl: redis://127.0.0.1\nprefix: "{sluice}:"', [{ line: 4, col: 11, code: 'schema', message: /braces/ }]],
    ['an empty prefix', 'type: redis\nurl: redis://127.0.0.1\nprefix: ""', [{ line: 4, col: 11, code: 'schema' }]],
    ['redis with no url, sentinels or cluster', 'type: redis\nprefix: "a:"', [{ line: 2, col: 3, code: 'schema', message: /url|sentinels|cluster/ }]],
    ['url and cluster both', 'type: redis\nurl: redis://127.0.0.1\ncluster: [{ host: 10.0.0.1, port: 7000 }]', [{ line: 4, col: 3, code: 'schema', message: /only one/ }]],
    ['sentinels without name', 'type: redis\nsentinels: [{ host: 10.0.0.1, port: 26379 }]', [{ line: 3, col: 3, code: 'schema', message: /name/ }]],
    ['a Sentinel node without a port', 'type: redis\nsentinels: [{ host: 10.0.0.1 }]\nname: mymaster', [{ line: 3, col: 15, code: 'schema' }]],
    ['a redis field on the memory store', 'type: memory\nurl: redis://127.0.0.1', [{ line: 3, col: 3, code: 'schema', message: /type: redis/ }]],
    ['a password beside url (it goes in the URL)', 'type: redis\nurl: redis://127.0.0.1\npassword: pw', [{ line: 4, col: 3, code: 'schema' }]],
  ];
  for (const [title, fields, expected] of cases) {
    it(title, async () => {
      const { errors, text, engine } = await errorsOf(fields);
      expect(errors.map(({ line, col, code }) => ({ line, col, code })), text).toEqual(expected.map(({ line, col, code }) => ({ line, col, code })));
      expected.forEach((e, i) => e.message && expect(errors[i]!.message).toMatch(e.message));
      expect(engine).toBeUndefined();
      expect(text).not.toContain('hunter2');
    });
  }
});
