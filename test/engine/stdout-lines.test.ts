/**
 * stdoutLines (engine/stdout-lines.ts): the default log destination writes each line whole
 * and at once, through a pipe that a reader drains slowly (partial writes, EAGAIN) too.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The child makes its stdout non-blocking (as a pipe can be) and counts what the kernel
// answered, so that the test knows the hard cases (EAGAIN, partial writes) happened.
const WRITER = `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const seen = { eagain: 0, partial: 0 };
const writeSync = fs.writeSync;
fs.writeSync = (fd, data, ...rest) => {
  try {
    const n = writeSync(fd, data, ...rest);
    if (n < Buffer.byteLength(data)) seen.partial++;
    return n;
  } catch (error) {
    if (error.code === 'EAGAIN') seen.eagain++;
    throw error;
  }
};
syncBuiltinESMExports();
process.stdout._handle.setBlocking(false);
const { stdoutLines } = await import(process.argv[1]);
const out = stdoutLines();
const big = 'x'.repeat(300000);
for (let i = 0; i < 40; i++) out.write(JSON.stringify({ i, big, unicode: 'Grüße 東京 🎉' }) + '\\n');
process.stderr.write(JSON.stringify(seen));
`;

describe('stdoutLines', () => {
  it('delivers every line whole, in order, to a reader slower than the writer', async () => {
    const module = new URL('../../dist/engine/stdout-lines.js', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, module], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    // Read slowly: the pipe fills, so the writer meets partial writes and EAGAIN.
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 2);
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const seen = JSON.parse(stderr) as { eagain: number; partial: number };
    expect(seen.eagain + seen.partial).toBeGreaterThan(0);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { i: number; big: string; unicode: string });
    expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const line of lines) {
      expect(line.big).toHaveLength(300000);
      expect(line.unicode).toBe('Grüße 東京 🎉');
    }
  });
});
