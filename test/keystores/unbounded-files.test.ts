/**
 * A keystore `path:` is read with the rules of `${file.…}` (issue 9 follow-up, M4): a device
 * would be read forever (5.7 GB RSS for /dev/zero), a FIFO would block `check` until a writer
 * came. Only regular files of at most 1 MiB are keys; anything else is file_unreadable at
 * the keystore's `path`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../helpers/sluice.js';
import { positionOf } from '../helpers/positions.js';

function config(path: string): string {
  return `
issuer: http://127.0.0.1:8080
keystores:
  - id: signing
    type: pem
    path: "${path}"
rps: []
pipes: []
`;
}

async function keystoreErrors(path: string) {
  const yaml = config(path);
  const { engine, diagnostics } = await load(yaml);
  return { engine, yaml, errors: diagnostics.filter((d) => d.severity === 'error') };
}

function expectUnreadableAtPath(result: Awaited<ReturnType<typeof keystoreErrors>>, path: string) {
  expect(result.engine).toBeUndefined();
  expect(result.errors).toEqual([expect.objectContaining({ code: 'file_unreadable', ...positionOf(result.yaml, `"${path}"`) })]);
}

describe('keystore path: only bounded regular files', () => {
  it('refuses /dev/zero without reading it', async () => {
    const result = await keystoreErrors('/dev/zero');
    expectUnreadableAtPath(result, '/dev/zero');
    expect(result.errors[0]!.message).toContain('not a regular file');
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO without waiting for a writer', async () => {
    const dir = (await load('issuer: http://127.0.0.1:8080\n')).dir;
    const fifo = join(dir, 'key.fifo');
    execFileSync('mkfifo', [fifo]);
    expectUnreadableAtPath(await keystoreErrors(fifo), fifo);
  });

  it('refuses a directory', async () => {
    const dir = (await load('issuer: http://127.0.0.1:8080\n')).dir;
    const sub = join(dir, 'keys');
    mkdirSync(sub);
    expectUnreadableAtPath(await keystoreErrors(sub), sub);
  });

  it('refuses a regular file over 1 MiB', async () => {
    const dir = (await load('issuer: http://127.0.0.1:8080\n')).dir;
    const big = join(dir, 'big.pem');
    writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 0x41));
    expectUnreadableAtPath(await keystoreErrors(big), big);
  });
});
