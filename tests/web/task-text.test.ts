import { describe, expect, it } from 'vitest';
import { formatByteProgress, formatJobList, formatPercent } from '../../web/src/lib/format.js';
import type { WaitingReason } from '../../web/src/lib/graphql/types.js';
import { eventText, laneText, queueText, scopeText, waitingText } from '../../web/src/lib/task-text.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const reason = (r: Partial<WaitingReason> & Pick<WaitingReason, 'kind'>): WaitingReason => ({
  until: null,
  runningJobIds: [],
  aheadJobIds: [],
  lane: null,
  ...r,
});

describe('task-center figures', () => {
  it('formats percent and byte progress per locale', () => {
    expect(formatPercent(42, 'en')).toBe('42%');
    expect(formatPercent(42, 'de')).toBe('42\u00a0%');
    expect(formatByteProgress(1_200_000, 3_400_000, 'en')).toBe('1.2 / 3.4 MB');
    expect(formatByteProgress(1_200_000, 3_400_000, 'de')).toBe('1,2 / 3,4 MB');
    expect(formatByteProgress(0, null, 'en')).toBe('0 B');
    expect(formatByteProgress(500, 900, 'en')).toBe('500 / 900 B');
    expect(formatJobList([12, 13, 14], 'en')).toBe('#12, #13, and #14');
    expect(formatJobList([1234], 'de')).toBe('#1234');
  });
});

describe('task-center words', () => {
  it('words the scope with plural rules', () => {
    expect(scopeText({ kind: 'PLAYLISTS', count: 2 }, 'en')).toBe('2 playlists');
    expect(scopeText({ kind: 'PLAYLISTS', count: 1 }, 'en')).toBe('1 playlist');
    expect(scopeText({ kind: 'PLAYLISTS', count: 2 }, 'de')).toBe('2 Playlists');
    expect(scopeText({ kind: 'SOURCES', count: 3 }, 'en')).toBe('3 sources');
    expect(scopeText({ kind: 'SOURCES', count: 1 }, 'de')).toBe('1 Quelle');
    expect(scopeText({ kind: 'ALL', count: null }, 'en')).toBe('All sources');
    expect(scopeText({ kind: 'ALL', count: null }, 'de')).toBe('Alle Quellen');
  });

  it('labels the queue place only while queued', () => {
    expect(queueText({ status: 'QUEUED', queuePosition: 2 }, 'en')).toBe('queued #2');
    expect(queueText({ status: 'QUEUED', queuePosition: 2 }, 'de')).toBe('Warteschlange #2');
    expect(queueText({ status: 'QUEUED', queuePosition: null }, 'en')).toBeNull();
    expect(queueText({ status: 'RUNNING', queuePosition: null }, 'en')).toBeNull();
  });

  it('says why a job waits', () => {
    expect(waitingText(reason({ kind: 'LANE_BUSY', runningJobIds: [7] }), 'en', now).text).toBe('Lane busy with job #7');
    expect(waitingText(reason({ kind: 'LANE_BUSY', runningJobIds: [7, 8] }), 'de', now).text).toBe(
      'Spur belegt durch Aufgaben #7 und #8',
    );
    expect(waitingText(reason({ kind: 'LANE_BUSY' }), 'en', now).text).toBe('Lane has no free slot');
    expect(waitingText(reason({ kind: 'BEHIND_IN_QUEUE', aheadJobIds: [3] }), 'en', now).text).toBe(
      'Behind job #3 in the queue',
    );
    const backingOff = waitingText(
      reason({ kind: 'BACKING_OFF', until: new Date(now + 5 * 60_000).toISOString() }),
      'en',
      now,
    );
    expect(backingOff.text).toBe('Backing off after errors; next try in 5 min.');
    expect(backingOff.title).toBeTruthy();
    expect(waitingText(reason({ kind: 'PAUSED' }), 'de', now).text).toBe('Pausiert; wartet aufs Fortsetzen');
    expect(waitingText(reason({ kind: 'STARTING_SOON' }), 'en', now).text).toBe('Starting soon');
  });

  it('names lanes and events, keeping unknown ones as the API sends them', () => {
    expect(laneText('general', 'de')).toBe('Allgemein');
    expect(laneText('uploads', 'en')).toBe('uploads');
    expect(eventText('created', 'en')).toEqual({ text: 'Created', known: true });
    expect(eventText('something_new', 'de')).toEqual({ text: 'something_new', known: false });
  });
});
