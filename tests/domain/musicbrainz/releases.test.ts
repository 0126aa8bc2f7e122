import { describe, expect, it } from 'vitest';
import { chooseRelease, newReleaseGroupsSince, parsePartialDate, type ReleaseGroupLike } from '../../../server/domain/musicbrainz/releases.js';

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

describe('chooseRelease', () => {
  type R = { id: string; status: string | null; date: string | null; releaseGroup: { id: string } | null; title?: string };
  const r = (id: string, status: string | null, date: string | null, group: string | null = 'g1'): R => ({ id, status, date, releaseGroup: group === null ? null : { id: group } });

  it('returns null when no release belongs to the group', () => {
    expect(chooseRelease([], 'g1')).toBeNull();
    expect(chooseRelease([r('a', 'Official', '2020', 'g2'), r('b', 'Official', '2020', null)], 'g1')).toBeNull();
  });
  it('prefers an official release over an earlier one of another status', () => {
    const releases = [r('promo', 'Promotion', '1999-01-01'), r('boot', 'Bootleg', '1998'), r('off', 'Official', '2001-05-01'), r('none', null, '1990')];
    expect(chooseRelease(releases, 'g1')?.id).toBe('off');
  });
  it('reads the status case-insensitively', () => {
    expect(chooseRelease([r('b', 'Promotion', '2000'), r('a', 'official', '2005')], 'g1')?.id).toBe('a');
  });
  it('takes the earliest dated release, a partial date counting as its first day, undated last', () => {
    const releases = [r('undated', 'Official', null), r('late', 'Official', '2016-06-17'), r('month', 'Official', '2016-05'), r('bad', 'Official', '2016-02-30'), r('early', 'Official', '2016-05-08')];
    expect(chooseRelease(releases, 'g1')?.id).toBe('month');
    expect(chooseRelease(releases.filter((x) => x.id !== 'month'), 'g1')?.id).toBe('early');
    expect(chooseRelease([r('undated', 'Official', null), r('bad', 'Official', 'soon')], 'g1')?.id).toBe('bad'); // both undated: by id
  });
  it('falls back to the earliest non-official release when there is no official one', () => {
    expect(chooseRelease([r('x', 'Bootleg', null), r('y', 'Promotion', '2010'), r('z', null, '2012'), r('w', 'Official', '2000', 'g2')], 'g1')?.id).toBe('y');
  });
  it('breaks ties by id, whatever the input order', () => {
    const releases = [r('c', 'Official', '2020'), r('a', 'Official', '2020-01-01'), r('b', 'Official', '2020')];
    expect(chooseRelease(releases, 'g1')?.id).toBe('a');
    expect(chooseRelease([...releases].reverse(), 'g1')?.id).toBe('a');
  });
  it('matches the group id case-insensitively and returns the caller’s object', () => {
    const mine = { ...r('a', 'Official', '2020', 'ABC-1'), title: 'kept' };
    expect(chooseRelease([mine], 'abc-1')).toBe(mine);
  });
});
