/** Durations in config: a number in a given unit, or a string such as `90s`, `60m`, `1h30m`, `1d`. */
import { ConfigError } from './errors.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const STRING = /^(?:\d+[smhd])+$/;

/** Seconds; throws ConfigError('valve_config') for a malformed or non-positive value. */
export function parseDuration(value: number | string, numberUnit: keyof typeof UNIT_SECONDS): number {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value * UNIT_SECONDS[numberUnit];
  } else {
    const text = value.trim();
    if (!STRING.test(text)) throw new ConfigError('valve_config', `'${value}' is not a duration (examples: 90s, 60m, 1h30m, 1d)`);
    seconds = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) seconds += Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  }
  if (!Number.isFinite(seconds) || seconds < 1) throw new ConfigError('valve_config', `duration must be at least 1 second, got ${JSON.stringify(value)}`);
  return Math.round(seconds);
}
