import { describe, expect, it } from 'vitest';
import {
  formatByteProgress,
  formatBytes,
  formatDuration,
  formatElapsed,
  formatNumber,
  formatRelativeTime,
  formatRemaining,
  formatSpeed,
  speedLimitBytes,
  speedLimitInput,
} from '../../web/src/lib/format.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const at = (offsetMs: number): string => new Date(now + offsetMs).toISOString();
const MIN = 60_000;

describe('relative times as the seeds show them, via Intl', () => {
  it('speaks German', () => {
    expect(formatRelativeTime(at(-10_000), now, 'de')).toBe('gerade eben');
    expect(formatRelativeTime(at(-5 * MIN), now, 'de')).toBe('vor 5 Min.');
    expect(formatRelativeTime(at(-3 * 60 * MIN), now, 'de')).toBe('vor 3 Std.');
    expect(formatRelativeTime(at(-2 * 24 * 60 * MIN), now, 'de')).toMatch(/^vor 2 T/);
    expect(formatRelativeTime(at(10_000), now, 'de')).toBe('jetzt');
    expect(formatRelativeTime(at(30 * MIN), now, 'de')).toBe('in 30 Min.');
    expect(formatRelativeTime(at(2 * 60 * MIN), now, 'de')).toBe('in 2 Std.');
    expect(formatRelativeTime(null, now, 'de')).toBe('noch nie');
  });

  it('speaks English', () => {
    expect(formatRelativeTime(at(-10_000), now, 'en')).toBe('just now');
    expect(formatRelativeTime(at(-5 * MIN), now, 'en')).toBe('5 min. ago');
    expect(formatRelativeTime(at(30 * MIN), now, 'en')).toBe('in 30 min.');
    expect(formatRelativeTime(null, now, 'en')).toBe('never');
  });

  it('rounds to the nearer unit (59.7 minutes is an hour)', () => {
    expect(formatRelativeTime(at(-59.7 * MIN), now, 'en')).toBe('1 hr. ago');
  });
});

describe('numbers and bytes', () => {
  it('formats per locale', () => {
    expect(formatNumber(1234567, 'de')).toBe('1.234.567');
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
    expect(formatBytes(3_400_000, 'de')).toBe('3,4 MB');
    expect(formatBytes(3_400_000, 'en')).toBe('3.4 MB');
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatDuration(300, 'en')).toBe('5 min');
    expect(formatDuration(90, 'en')).toBe('90 sec');
  });
});

describe('how long a job took', () => {
  it('uses the two largest units, per locale', () => {
    expect(formatElapsed(350, 'en')).toBe('350 ms');
    expect(formatElapsed(4_250, 'en')).toBe('4.2 sec');
    expect(formatElapsed(4_250, 'de')).toBe('4,2 Sek.');
    expect(formatElapsed(125_000, 'en')).toBe('2 min 5 sec');
    expect(formatElapsed(125_000, 'de')).toBe('2 Min., 5 Sek.');
    expect(formatElapsed(60_000, 'en')).toBe('1 min');
    expect(formatElapsed(3_900_000, 'en')).toBe('1 hr 5 min');
    expect(formatElapsed(3_900_000, 'de')).toBe('1 Std., 5 Min.');
  });

  it('never shows a negative or a fraction of a millisecond', () => {
    expect(formatElapsed(0, 'en')).toBe('0 ms');
    expect(formatElapsed(-5, 'en')).toBe('0 ms');
    expect(formatElapsed(0.4, 'de')).toBe('0 ms');
  });
});

describe('download figures', () => {
  it('formats speeds and bytes of a size per locale', () => {
    expect(formatSpeed(3_000_000, 'en')).toBe('3 MB/s');
    expect(formatSpeed(204_800, 'de')).toBe('204,8 kB/s');
    expect(formatByteProgress(40_000, 80_044, 'en')).toBe('40 / 80 kB');
    expect(formatByteProgress(1_200_000, 3_400_000, 'de')).toBe('1,2 / 3,4 MB');
  });

  it('says the time left in whole seconds, rounded up, at least one', () => {
    expect(formatRemaining(11.2, 'en')).toBe('12 sec');
    expect(formatRemaining(11.2, 'de')).toBe('12 Sek.');
    expect(formatRemaining(0.1, 'en')).toBe('1 sec');
    expect(formatRemaining(0, 'en')).toBe('1 sec');
    expect(formatRemaining(125, 'en')).toBe('2 min 5 sec');
    expect(formatRemaining(3_900, 'de')).toBe('1 Std., 5 Min.');
  });
});

describe('the speed limit editor', () => {
  it('turns a typed limit into whole bytes a second (decimal units, as the speeds are shown)', () => {
    expect(speedLimitBytes(2, 'MB')).toBe(2_000_000);
    expect(speedLimitBytes(1.5, 'MB')).toBe(1_500_000);
    expect(speedLimitBytes(250, 'kB')).toBe(250_000);
    expect(speedLimitBytes(0.0005, 'kB')).toBe(1);
    expect(speedLimitBytes(0, 'kB')).toBe(0);
  });

  it('refuses what the API cannot take: negative, not a number, beyond a 32-bit Int', () => {
    expect(speedLimitBytes(-1, 'kB')).toBeNull();
    expect(speedLimitBytes(Number.NaN, 'MB')).toBeNull();
    expect(speedLimitBytes(Number.POSITIVE_INFINITY, 'MB')).toBeNull();
    expect(speedLimitBytes(2147, 'MB')).toBe(2_147_000_000);
    expect(speedLimitBytes(2148, 'MB')).toBeNull();
  });

  it('shows a limit in MB/s when it is a whole number of them, else in kB/s', () => {
    expect(speedLimitInput(0)).toEqual({ value: 0, unit: 'MB' });
    expect(speedLimitInput(2_000_000)).toEqual({ value: 2, unit: 'MB' });
    expect(speedLimitInput(1_500_000)).toEqual({ value: 1500, unit: 'kB' });
    expect(speedLimitInput(250_000)).toEqual({ value: 250, unit: 'kB' });
    expect(speedLimitInput(1)).toEqual({ value: 0.001, unit: 'kB' });
  });
});
