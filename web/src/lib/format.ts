// Pure formatting of the API's facts (ISO timestamps, raw numbers) for people, in de or en.
// Everything goes through Intl; only "just now" and "never" come from the message table.

import { translate, type Locale } from './i18n.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Intl formatters are costly to build; a page re-renders dozens of times a minute.
const cache = new Map<string, Intl.NumberFormat | Intl.RelativeTimeFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.RelativeTimeFormat | Intl.DateTimeFormat>(
  key: string,
  create: () => T,
): T {
  let formatter = cache.get(key);
  if (!formatter) {
    formatter = create();
    cache.set(key, formatter);
  }
  return formatter as T;
}

function relativeFormat(locale: Locale, numeric: 'always' | 'auto'): Intl.RelativeTimeFormat {
  return cached(
    `rel:${locale}:${numeric}`,
    () => new Intl.RelativeTimeFormat(locale, { numeric, style: 'short' }),
  );
}

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return cached(`num:${locale}:${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options));
}

/** Whole units of the right magnitude: seconds under a minute, minutes under an hour, … */
function magnitude(ms: number): { value: number; unit: 'second' | 'minute' | 'hour' | 'day' } {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? -1 : 1;
  if (abs < MINUTE) return { value: sign * Math.round(abs / SECOND), unit: 'second' };
  // Round before choosing so 59.7 minutes reads "1 hour", not "60 minutes".
  if (Math.round(abs / MINUTE) < 60) return { value: sign * Math.round(abs / MINUTE), unit: 'minute' };
  if (Math.round(abs / HOUR) < 24) return { value: sign * Math.round(abs / HOUR), unit: 'hour' };
  return { value: sign * Math.round(abs / DAY), unit: 'day' };
}

/**
 * "vor 5 Min." / "5 min. ago", "in 30 Min." / "in 30 min.", "gerade eben" / "just now" for the
 * last minute, "jetzt" / "now" for the next one, "noch nie" / "never" for null.
 */
export function formatRelativeTime(iso: string | null | undefined, now: number, locale: Locale): string {
  if (!iso) return translate(locale, 'common.never');
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return translate(locale, 'common.never');
  const diff = at - now;
  if (Math.abs(diff) < MINUTE) {
    return diff <= 0 ? translate(locale, 'common.justNow') : relativeFormat(locale, 'auto').format(0, 'second');
  }
  const { value, unit } = magnitude(diff);
  return relativeFormat(locale, 'always').format(value, unit);
}

/** Absolute date and time, for tooltips beside a relative time. */
export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return translate(locale, 'common.never');
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return translate(locale, 'common.never');
  return cached(
    `dt:${locale}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }),
  ).format(at);
}

/** 1234567 → "1.234.567" / "1,234,567". */
export function formatNumber(value: number, locale: Locale): string {
  return numberFormat(locale).format(value);
}

const byteUnits = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

function scaleBytes(bytes: number): { value: number; unit: (typeof byteUnits)[number] } {
  let value = Math.max(0, bytes);
  let index = 0;
  // Decimal (SI) steps, so the numbers agree with the unit names Intl prints (kB, MB, GB).
  while (value >= 1000 && index < byteUnits.length - 1) {
    value /= 1000;
    index += 1;
  }
  return { value, unit: byteUnits[index] ?? 'byte' };
}

/** 3_400_000 → "3,4 MB" / "3.4 MB". */
export function formatBytes(bytes: number, locale: Locale): string {
  const { value, unit } = scaleBytes(bytes);
  // Intl spells the smallest unit out ("0 byte"); "0 B" sits better next to "3,4 MB".
  if (unit === 'byte') return `${formatNumber(Math.round(value), locale)} B`;
  return numberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(value);
}

/** 3_000_000 → "3 MB/s". */
export function formatSpeed(bytesPerSecond: number, locale: Locale): string {
  const { value, unit } = scaleBytes(bytesPerSecond);
  return numberFormat(locale, {
    style: 'unit',
    unit: `${unit}-per-second`,
    unitDisplay: 'short',
    maximumFractionDigits: unit === 'byte' ? 0 : 1,
  }).format(value);
}

/** A span of seconds in its largest whole unit: 300 → "5 Min." / "5 min", 604800 → "7 Tg." / "7 days". */
export function formatDuration(seconds: number, locale: Locale): string {
  const steps = [
    { unit: 'day', size: 86_400 },
    { unit: 'hour', size: 3_600 },
    { unit: 'minute', size: 60 },
  ] as const;
  const step = steps.find(({ size }) => seconds >= size && seconds % size === 0);
  const [value, unit] = step ? [seconds / step.size, step.unit] : [seconds, 'second' as const];
  return numberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(value);
}

const unitLists = new Map<Locale, Intl.ListFormat>();

/**
 * How long something took, from milliseconds: "350 ms", "4.3 sec" / "4,3 Sek.", "2 min 5 sec" /
 * "2 Min., 5 Sek.", "1 hr 5 min" / "1 Std., 5 Min." (the two largest units, seconds rounded).
 */
export function formatElapsed(ms: number, locale: Locale): string {
  const unit = (value: number, name: string, digits = 0): string =>
    numberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
  const value = Math.max(0, ms);
  if (value < SECOND) return unit(Math.round(value), 'millisecond');
  if (value < MINUTE) return unit(Math.floor(value / 100) / 10, 'second', 1);
  let list = unitLists.get(locale);
  if (!list) {
    list = new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' });
    unitLists.set(locale, list);
  }
  const seconds = Math.round(value / SECOND);
  if (seconds < 3600) {
    const parts = [unit(Math.floor(seconds / 60), 'minute')];
    if (seconds % 60 > 0) parts.push(unit(seconds % 60, 'second'));
    return list.format(parts);
  }
  const minutes = Math.round(seconds / 60);
  const parts = [unit(Math.floor(minutes / 60), 'hour')];
  if (minutes % 60 > 0) parts.push(unit(minutes % 60, 'minute'));
  return list.format(parts);
}

/** Round-trip time of a probe: "42 ms". */
export function formatLatency(ms: number, locale: Locale): string {
  return numberFormat(locale, { style: 'unit', unit: 'millisecond', unitDisplay: 'short' }).format(ms);
}

/** A share of 0–100 as "42 %" / "42%", to one decimal at most. */
export function formatPercent(percent: number, locale: Locale): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(percent / 100);
}

/**
 * Bytes so far of a known size, both in the size's unit: "1,2 / 3,4 MB" / "1.2 / 3.4 MB".
 * Without a known size only the bytes so far are shown.
 */
export function formatByteProgress(done: number, total: number | null, locale: Locale): string {
  if (total === null || total <= 0) return formatBytes(done, locale);
  const { unit } = scaleBytes(Math.max(done, total));
  if (unit === 'byte') return `${formatNumber(done, locale)} / ${formatBytes(total, locale)}`;
  const divisor = 1000 ** byteUnits.indexOf(unit);
  const part = numberFormat(locale, { maximumFractionDigits: 1 }).format(Math.max(0, done) / divisor);
  return `${part} / ${formatBytes(total, locale)}`;
}

/** Clock time of an event today or any day: "14:05:09" / "2:05:09 PM". */
export function formatTime(iso: string, locale: Locale): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return translate(locale, 'common.never');
  return cached(`time:${locale}`, () => new Intl.DateTimeFormat(locale, { timeStyle: 'medium' })).format(at);
}

const listFormats = new Map<Locale, Intl.ListFormat>();

/** "#12, #13 and #14" / "#12, #13 und #14": job numbers (ids, so no digit grouping) in a sentence. */
export function formatJobList(jobIds: readonly number[], locale: Locale): string {
  let list = listFormats.get(locale);
  if (!list) {
    list = new Intl.ListFormat(locale, { type: 'conjunction', style: 'long' });
    listFormats.set(locale, list);
  }
  return list.format(jobIds.map((id) => `#${id}`));
}

/**
 * Time left, from seconds (an ETA): whole seconds rounded up, at least one, in the two largest
 * units as formatElapsed words them: "12 sec" / "12 Sek.", "2 min 5 sec" / "2 Min., 5 Sek.".
 */
export function formatRemaining(seconds: number, locale: Locale): string {
  return formatElapsed(Math.max(1, Math.ceil(seconds)) * SECOND, locale);
}

/** Units a speed limit is typed in (decimal, as formatSpeed prints them). */
export type SpeedUnit = 'kB' | 'MB';
const speedUnitBytes: Record<SpeedUnit, number> = { kB: 1000, MB: 1_000_000 };

/**
 * A typed limit in bytes a second (whole bytes); null when it is not a number, negative, or
 * beyond what the API's Int takes (2^31 − 1).
 */
export function speedLimitBytes(value: number, unit: SpeedUnit): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const bytes = Math.round(value * speedUnitBytes[unit]);
  return bytes > 2 ** 31 - 1 ? null : bytes;
}

/** A limit in bytes a second as the editor shows it: MB/s when it is a whole number of them, kB/s otherwise. */
export function speedLimitInput(bytesPerSecond: number): { value: number; unit: SpeedUnit } {
  if (bytesPerSecond === 0 || (bytesPerSecond >= speedUnitBytes.MB && bytesPerSecond % speedUnitBytes.MB === 0)) {
    return { value: bytesPerSecond / speedUnitBytes.MB, unit: 'MB' };
  }
  return { value: bytesPerSecond / speedUnitBytes.kB, unit: 'kB' };
}

/**
 * A release date as MusicBrainz has it (YYYY, YYYY-MM or YYYY-MM-DD): a full date or a month in
 * words ("1. März 2019" / "Mar 1, 2019", "März 2019" / "March 2019"), a bare year as it is, and
 * anything else unchanged. Read as a calendar day, so no time zone shifts it.
 */
export function formatReleaseDate(date: string, locale: Locale): string {
  const parts = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  if (!parts) return date;
  const [, year, month, day] = parts;
  if (month === undefined) return year ?? date;
  const at = new Date(Date.UTC(Number(year), Number(month) - 1, day === undefined ? 1 : Number(day)));
  if (Number.isNaN(at.getTime())) return date;
  const options: Intl.DateTimeFormatOptions =
    day === undefined
      ? { year: 'numeric', month: 'long', timeZone: 'UTC' }
      : { dateStyle: 'medium', timeZone: 'UTC' };
  return cached(`release:${locale}:${day === undefined ? 'month' : 'day'}`, () => new Intl.DateTimeFormat(locale, options)).format(at);
}
