/**
 * stdoutLines (engine/stdout-lines.ts) holds the info lines of a turn of the event loop and
 * writes them together. What a reader of the log sees must not change: every line, whole,
 * in order, including those logged just before the process ends, however it ends; warn and
 * above at once. Each case runs a child process that logs through createLogger (the logger
 * `sluice serve` uses) and reads its stdout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOGGER = new URL('../../dist/engine/logger.js', import.meta.url).href;
const GUARD = new URL('../../dist/engine/cli/process-guard.js', import.meta.url).href;
const LINES = new URL('../../dist/engine/stdout-lines.js', import.meta.url).href;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** Runs `body` as an ES module with `createLogger`, `guardProcess` and `stdoutLines` imported; slow: read its stdout slowly. */
async function child(body: string, slow = false): Promise<Outcome> {
  const script = `
const { createLogger } = await import(process.argv[1]);
const { guardProcess } = await import(process.argv[2]);
const { stdoutLines } = await import(process.argv[3]);
${body}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script, LOGGER, GUARD, LINES], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  proc.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    if (!slow) return;
    // The pipe fills: the writer meets partial writes and EAGAIN.
    proc.stdout.pause();
    setTimeout(() => proc.stdout.resume(), 2);
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => proc.on('close', (c, s) => resolve([c, s])));
  const text = Buffer.concat(chunks).toString('utf8');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return { code, signal, stderr, lines: text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const messages = (outcome: Outcome) => outcome.lines.map((line) => line.msg);

// Counts the writes that reach the kernel (stdout-lines imports writeSync from node:fs).
const COUNT_WRITES = `
const fs = (await import('node:fs')).default;
const { syncBuiltinESMExports } = await import('node:module');
const seen = { writes: 0, eagain: 0, partial: 0, largest: 0 };
const writeSync = fs.writeSync;
fs.writeSync = (fd, data, ...rest) => {
  try {
    const n = writeSync(fd, data, ...rest);
    seen.writes++;
    seen.largest = Math.max(seen.largest, n);
    if (n < Buffer.byteLength(data)) seen.partial++;
    return n;
  } catch (error) {
    if (error.code === 'EAGAIN') seen.eagain++;
    throw error;
  }
};
syncBuiltinESMExports();
`;

describe('stdoutLines, batched per turn', () => {
  it('writes the lines of one turn together, every one whole and in order', async () => {
    const outcome = await child(`${COUNT_WRITES}
const logger = createLogger('info');
for (let i = 0; i < 1000; i++) logger.info({ i }, 'line');
setImmediate(() => process.stderr.write(JSON.stringify(seen)));`);
    expect(outcome.code).toBe(0);
    expect(outcome.lines.map((line) => line.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // About 80 KB in writes of whole lines up to 4096 bytes: twenty-odd writes, not a thousand.
    const seen = JSON.parse(outcome.stderr) as { writes: number; largest: number };
    expect(seen.writes).toBeLessThanOrEqual(25);
    expect(seen.largest).toBeLessThanOrEqual(4096);
  });

  it('keeps lines whole and in order across threadpool completions, through a slow non-blocking pipe', async () => {
    const outcome = await child(`${COUNT_WRITES}
process.stdout._handle.setBlocking(false);
const { pbkdf2 } = await import('node:crypto');
const logger = createLogger('info');
const big = 'x'.repeat(3000) + ' Grüße 東京 🎉';
let seq = 0;
// Each completion is a callback of its own, some in the same turn, some not.
await Promise.all(Array.from({ length: 200 }, () => new Promise((done) => pbkdf2('p', 's', 100, 32, 'sha256', () => {
  logger.info({ seq: seq++, big }, 'completed');
  done();
}))));
for (let i = 0; i < 200; i++) logger.info({ seq: seq++, big }, 'burst');
logger.warn({ seq: seq++, big }, 'warned');
for (let i = 0; i < 100; i++) logger.info({ seq: seq++, big }, 'after');
setImmediate(() => process.stderr.write(JSON.stringify(seen)));`, true);
    expect(outcome.code).toBe(0);
    const seen = JSON.parse(outcome.stderr) as { eagain: number; partial: number };
    expect(seen.eagain + seen.partial).toBeGreaterThan(0);
    expect(outcome.lines.map((line) => line.seq)).toEqual(Array.from({ length: 501 }, (_, i) => i));
    for (const line of outcome.lines) expect(line.big).toBe('x'.repeat(3000) + ' Grüße 東京 🎉');
  });

  it("never lets processes sharing one stdout pipe (--workers) cut into each other's lines", async () => {
    // Three writers on one pipe (as `sluice serve --workers 3 | shipper`), read slowly in small
    // reads so that it fills: a write larger than PIPE_BUF would be split by the kernel and
    // interleaved with another writer's.
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-'));
    try {
      writeFileSync(join(dir, 'writer.mjs'), `
const { createLogger } = await import(process.argv[2]);
const [w, start] = [Number(process.argv[3]), Number(process.argv[4])];
const logger = createLogger('info');
const pad = 'p'.repeat(200 + 50 * w);
let i = 0;
const burst = () => {
  for (let n = 0; n < 100; n++) logger.info({ writer: w, i: i++, pad }, 'line');
  if (i < 3000) setTimeout(burst, 1);
};
// All three at once, whenever each started.
setTimeout(burst, start - Date.now());`);
      writeFileSync(join(dir, 'reader.mjs'), `
import { readSync, writeSync } from 'node:fs';
const buffer = Buffer.alloc(8192);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let n; (n = readSync(0, buffer)) > 0; ) {
  writeSync(1, buffer.subarray(0, n));
  Atomics.wait(pause, 0, 0, 1);
}`);
      const node = `'${process.execPath}'`;
      const start = Date.now() + 1500;
      const writers = [1, 2, 3].map((w) => `${node} writer.mjs '${LOGGER}' ${w} ${start} &`).join(' ');
      const proc = spawn('sh', ['-c', `(${writers} wait) | ${node} reader.mjs`], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      const chunks: Buffer[] = [];
      proc.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      expect(await new Promise((resolve) => proc.on('close', resolve))).toBe(0);
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { writer: number; i: number; pad: string });
      for (const w of [1, 2, 3]) {
        const own = lines.filter((line) => line.writer === w);
        expect(own.map((line) => line.i)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
        for (const line of own) expect(line.pad).toHaveLength(200 + 50 * w);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the order of lines from several loggers on the same stdout (a reload makes a new one)', async () => {
    const outcome = await child(`
const before = createLogger('info');
const after = createLogger('info');
before.info('1'); after.info('2'); before.info('3'); after.warn('4'); before.info('5'); after.info('6');`);
    expect(messages(outcome)).toEqual(['1', '2', '3', '4', '5', '6']);
  });
});

describe('stdoutLines: nothing held is lost when the process ends', () => {
  const cases: Array<{ name: string; body: string; code: number; expected: unknown[] }> = [
    { name: 'process.exit() right after an info line', body: `createLogger('info').info('last'); process.exit(3);`, code: 3, expected: ['last'] },
    { name: 'a command that sets process.exitCode and returns', body: `createLogger('info').info('done'); process.exitCode = 4;`, code: 4, expected: ['done'] },
    {
      name: 'an uncaught exception under the serve guard (its fatal line after what was held)',
      body: `const logger = createLogger('info'); guardProcess(logger);
setTimeout(() => { logger.info('before'); throw new Error('boom'); });`,
      code: 1,
      expected: ['before', 'uncaught exception: exiting, the process state is unknown'],
    },
    { name: 'an uncaught exception with no handler', body: `const logger = createLogger('info'); setTimeout(() => { logger.info('before'); throw new Error('boom'); });`, code: 1, expected: ['before'] },
    {
      name: "a line logged by another 'exit' listener",
      body: `const logger = createLogger('info'); process.on('exit', () => logger.info('at exit')); logger.info('first'); process.exit(0);`,
      code: 0,
      expected: ['first', 'at exit'],
    },
  ];
  for (const { name, body, code, expected } of cases) {
    it(name, async () => {
      const outcome = await child(body);
      expect(outcome.code).toBe(code);
      expect(messages(outcome)).toEqual(expected);
    });
  }
});

describe('stdoutLines: what cannot wait goes out at once', () => {
  // SIGKILL runs no code at all (no 'exit', no next turn): what is in the output was written before it.
  const cases: Array<{ name: string; body: string; expected: unknown[] }> = [
    { name: 'a warn line, and the info line held before it', body: `const l = createLogger('info'); l.info('held'); l.warn('warned');`, expected: ['held', 'warned'] },
    { name: 'an error line', body: `const l = createLogger('info'); l.info('held'); l.error('failed');`, expected: ['held', 'failed'] },
    { name: 'a fatal line', body: `const l = createLogger('info'); l.info('held'); l.fatal('fatal');`, expected: ['held', 'fatal'] },
    { name: "what logger.flush() is asked for", body: `const l = createLogger('info'); l.info('flushed'); l.flush();`, expected: ['flushed'] },
    { name: "a line not in pino's level-first form", body: `stdoutLines().write('{"msg":"no level"}\\n');`, expected: ['no level'] },
  ];
  for (const { name, body, expected } of cases) {
    it(name, async () => {
      const outcome = await child(`${body}\nprocess.kill(process.pid, 'SIGKILL');`);
      expect(outcome.signal).toBe('SIGKILL');
      expect(messages(outcome)).toEqual(expected);
    });
  }
});
