/** Durations in config: a number in a given unit, or a string such as `90s`, `60m`, `1h30m`, `1d`. */
import { ConfigError } from './errors.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const STRING = /^(?:\d+[smhd])+$/;

/**
 * One year: the longest duration any setting takes. A token that lives longer is a
 * credential nobody rotates, and a bound keeps `now + ttl` a plain integer (1e300 minutes
 * used to put exp in exponent notation).
 */
export const MAX_DURATION_SECONDS = 365 * 86400;

/** A bound in the largest unit that divides it: 30 → "30s", 86400 → "1d", 3600 → "1h". */
function spelled(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (seconds % UNIT_SECONDS[unit] === 0) return `${seconds / UNIT_SECONDS[unit]}${unit}`;
  }
  return `${seconds}s`;
}

/**
 * Whole seconds (rounded), between 1 and `max` (default one year); throws
 * ConfigError('valve_config') for a malformed or out-of-range value.
 */
export function parseDuration(value: number | string, numberUnit: keyof typeof UNIT_SECONDS, max = MAX_DURATION_SECONDS): number {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value * UNIT_SECONDS[numberUnit];
  } else {
    const text = value.trim();
    if (!STRING.test(text)) throw new ConfigError('valve_config', `'${value}' is not a duration (examples: 90s, 60m, 1h30m, 1d)`);
    seconds = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) seconds += Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  }
  if (seconds < 1) throw new ConfigError('valve_config', `duration must be at least 1 second, got ${JSON.stringify(value)}`);
  if (!(Math.round(seconds) <= max)) throw new ConfigError('valve_config', `duration must be at most ${spelled(max)}, got ${JSON.stringify(value)}`);
  return Math.round(seconds);
}
