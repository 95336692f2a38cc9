/**
 * writePlainInfo (engine/logger.ts): the request line written without pino's per-key work
 * must be the line pino writes, byte for byte, whatever the values.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, writePlainInfo } from '../../engine/logger.js';

class Lines extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(chunk.toString());
    done();
  }
}

const CASES: Array<Record<string, unknown>> = [
  { req_id: 'r1', event: 'token', remote_addr: '127.0.0.1', client_id: 'c1', outcome: 'issued', duration_ms: 1.234567, exp: 1795835322 },
  {},
  { quote: 'say "hi"', backslash: 'a\\b', control: 'tab\there\nnew\u0001', unicode: 'Grüße, 東京 🎉', long: 'x'.repeat(300) + '"' },
  { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, neg: -0, big: 1e21, yes: true, no: false, nothing: null, missing: undefined },
  { 'key "quoted"': 'v', 'ключ': 1 },
];

describe('writePlainInfo', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-28T02:30:00.123Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes what pino writes for the same fields and message', () => {
    for (const fields of CASES) {
      const viaPino = new Lines();
      const direct = new Lines();
      createLogger('info', viaPino).info(fields, 'token request');
      expect(writePlainInfo(createLogger('info', direct), fields, 'token request')).toBe(true);
      expect(direct.lines).toEqual(viaPino.lines);
      expect(JSON.parse(direct.lines[0]!)).toMatchObject({ level: 30, time: '2026-11-28T02:30:00.123Z', service: 'sluice', msg: 'token request' });
    }
  });

  it('writes nothing below the logger level, and says it is done', () => {
    const out = new Lines();
    const logger = createLogger('warn', out);
    expect(writePlainInfo(logger, { a: 1 }, 'token request')).toBe(true);
    logger.level = 'info';
    expect(writePlainInfo(logger, { a: 1 }, 'token request')).toBe(true);
    expect(out.lines).toHaveLength(1);
  });

  it('leaves a logger it did not make to pino (false, nothing written)', () => {
    const out = new Lines();
    const foreign = pino({ base: { service: 'embedder' } }, out);
    expect(writePlainInfo(foreign, { a: 1 }, 'token request')).toBe(false);
    expect(out.lines).toEqual([]);
  });

  it('leaves a destination that wants pino metadata (a multistream) to pino', () => {
    const out = new Lines();
    const multi = pino.multistream([{ stream: out }]);
    expect(writePlainInfo(createLogger('info', multi), { a: 1 }, 'token request')).toBe(false);
    expect(out.lines).toEqual([]);
  });
});
