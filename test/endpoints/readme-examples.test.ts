/**
 * The README's "Three ways a resource server validates our tokens" runs as written: its
 * shell blocks with curl and its jose script, against the embedded demo config (on a free
 * port instead of 8080).
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, tempDir, type Running } from '../helpers/sluice.js';

const root = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const hasCurl = spawnSync('curl', ['--version']).status === 0;

/** The fenced blocks of the README section under `heading`, with their language. */
function blocks(heading: string): Array<{ lang: string; code: string }> {
  const start = readme.indexOf(heading);
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

let server: Running;
beforeAll(async () => {
  server = await serve(readFileSync(join(root, 'config/sluice.yaml'), 'utf8'));
});
afterAll(async () => {
  await server?.close();
});

describe('README: three ways a resource server validates our tokens', () => {
  it.skipIf(!hasCurl)('the curl and jose examples work as written', async () => {
    const examples = blocks('### Three ways a resource server validates our tokens');
    const local = (code: string) => code.replaceAll('http://127.0.0.1:8080', server.url);
    const dir = tempDir();
    // verify.mjs imports jose as a resource server's project would: from its node_modules.
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const script = examples.find((b) => b.lang === 'js');
    expect(script).toBeDefined();
    writeFileSync(join(dir, 'verify.mjs'), local(script!.code));
    const shell = examples.filter((b) => b.lang === 'sh').map((b) => local(b.code)).join('\necho\n');
    // Asynchronously: the server answering curl runs in this process.
    const { stdout: output } = await promisify(execFile)('bash', ['-e', '-c', shell], { cwd: dir, encoding: 'utf8' });
    const lines = output.split('\n').filter(Boolean);
    expect(lines[0]).toBe('demo demo.read demo.write'); // node verify.mjs
    expect(JSON.parse(lines[1]!)).toMatchObject({ active: true, client_id: 'demo', scope: 'demo.read demo.write', token_type: 'Bearer' }); // introspection
    expect(JSON.parse(lines[2]!)).toMatchObject({ sub: 'demo', client_id: 'demo', scope: 'demo.read demo.write' }); // userinfo
    expect(lines.slice(3).join('')).toBe('{}{"active":false}'); // revoke (an empty JSON object), then introspect
  });
});
