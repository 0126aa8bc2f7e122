import { describe, expect, it } from 'vitest';
import { newReleaseGroupsSince, parsePartialDate, type ReleaseGroupLike } from '../../../server/domain/musicbrainz/releases.js';

const g = (id: string, firstReleaseDate: string | null, primaryType: string | null = 'Album', secondaryTypes: string[] = []): ReleaseGroupLike => ({
  id,
  title: `T${id}`,
  primaryType,
  secondaryTypes,
  firstReleaseDate,
});

describe('parsePartialDate', () => {
  it('reads year, year-month and full dates as their first UTC day', () => {
    expect(parsePartialDate('2016')?.toISOString()).toBe('2016-01-01T00:00:00.000Z');
    expect(parsePartialDate('2016-05')?.toISOString()).toBe('2016-05-01T00:00:00.000Z');
    expect(parsePartialDate('2016-05-08')?.toISOString()).toBe('2016-05-08T00:00:00.000Z');
  });
  it('rejects empty and impossible dates', () => {
    for (const v of ['', null, undefined, '16', '2016-13', '2021-02-30', '2016/05/08']) expect(parsePartialDate(v)).toBeNull();
  });
});

describe('newReleaseGroupsSince', () => {
  const since = new Date('2024-03-15T18:00:00Z');
  it('keeps wanted types released on or after the day, newest first, each id once', () => {
    const groups = [g('a', '2024-03-15'), g('b', '2024-05'), g('c', '2024-03-14'), g('a', '2024-03-15'), g('d', '2025'), g('e', null)];
    expect(newReleaseGroupsSince(groups, since).map((x) => x.id)).toEqual(['d', 'b', 'a']);
  });
  it('reads a bare year as its first day', () => {
    expect(newReleaseGroupsSince([g('y', '2024')], since)).toEqual([]);
    expect(newReleaseGroupsSince([g('y', '2024')], new Date('2024-01-01T00:00:00Z'))).toHaveLength(1);
  });
  it('filters primary and secondary types', () => {
    const groups = [g('album', '2024-06-01'), g('single', '2024-06-01', 'Single'), g('live', '2024-06-01', 'Album', ['Live']), g('ep', '2024-06-01', 'EP'), g('none', '2024-06-01', null)];
    expect(newReleaseGroupsSince(groups, since).map((x) => x.id)).toEqual(['album', 'ep']);
    expect(newReleaseGroupsSince(groups, since, { types: ['single'] }).map((x) => x.id)).toEqual(['single']);
    expect(newReleaseGroupsSince(groups, since, { excludeSecondary: [] }).map((x) => x.id)).toEqual(['album', 'ep', 'live']);
  });
});
