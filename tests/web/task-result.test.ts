import { describe, expect, it } from 'vitest';
import type { FindDuplicatesResult, LibraryScanResult } from '../../web/src/lib/graphql/types.js';
import { translate } from '../../web/src/lib/i18n.js';
import { GROUPS_SHOWN, shownGroups, taskResultFacts } from '../../web/src/lib/task-result.js';

const scan: LibraryScanResult = {
  __typename: 'LibraryScanResult',
  folder: null,
  readTags: true,
  files: 1234,
  audioFiles: 1200,
  totalBytes: 5_600_000_000,
  formats: [{ format: 'flac', files: 1200, bytes: 5_500_000_000 }],
  missingTags: 3,
  unreadableFiles: 1,
};

const dupes = (groups: number): FindDuplicatesResult => ({
  __typename: 'FindDuplicatesResult',
  byContent: true,
  tracksScanned: 40,
  unreadable: 0,
  duplicateGroups: groups,
  duplicateFiles: groups,
  groups: Array.from({ length: Math.min(groups, 100) }, (_, i) => ({ method: 'content', paths: [`a${i}.flac`, `b${i}.flac`] })),
});

describe('task result figures', () => {
  it('lists a library scan in reading order, the whole library in words', () => {
    expect(taskResultFacts(scan, 'en')).toEqual([
      { label: 'result.folder', kind: 'text', value: 'Whole library' },
      { label: 'result.files', kind: 'count', value: 1234 },
      { label: 'result.audioFiles', kind: 'count', value: 1200 },
      { label: 'result.totalSize', kind: 'bytes', value: 5_600_000_000 },
      { label: 'result.missingTags', kind: 'count', value: 3 },
      { label: 'result.unreadableFiles', kind: 'count', value: 1 },
    ]);
    expect(taskResultFacts(scan, 'de')[0]).toEqual({ label: 'result.folder', kind: 'text', value: 'Ganze Bibliothek' });
  });

  it('says tags were not read instead of showing counts it does not have', () => {
    const facts = taskResultFacts({ ...scan, folder: 'Incoming', readTags: false, missingTags: null, unreadableFiles: null }, 'en');
    expect(facts[0]).toMatchObject({ value: 'Incoming' });
    expect(facts.at(-1)).toEqual({ label: 'task.option.readTags', kind: 'flag', value: false });
    expect(facts.some((f) => f.label === 'result.missingTags')).toBe(false);
  });

  it('lists a duplicate search with how it compared', () => {
    const facts = taskResultFacts(dupes(2), 'de');
    expect(facts[0]).toEqual({ label: 'result.compared', kind: 'text', value: 'Tags und Dateiinhalte' });
    expect(facts.map((f) => f.label)).toEqual(['result.compared', 'result.tracksScanned', 'result.unreadableTags', 'result.duplicateGroups', 'result.duplicateFiles']);
    expect(taskResultFacts({ ...dupes(0), byContent: false }, 'en')[0]).toMatchObject({ value: 'Tags only' });
  });

  it('shows the first groups and counts the rest, including those the API left out', () => {
    expect(shownGroups(dupes(3))).toMatchObject({ more: 0 });
    expect(shownGroups(dupes(3)).groups).toHaveLength(3);
    const many = shownGroups(dupes(250));
    expect(many.groups).toHaveLength(GROUPS_SHOWN);
    expect(many.more).toBe(250 - GROUPS_SHOWN);
    expect(translate('en', 'result.moreGroups', { count: many.more })).toBe('240 more groups not shown');
    expect(translate('de', 'result.moreGroups', { count: 1 })).toBe('1 weitere Gruppe nicht gezeigt');
  });
});
